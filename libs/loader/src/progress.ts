import cliProgress from 'cli-progress';
import type { LoadProgressEvent } from './loader.js';

interface Payload {
  file: string;
  rows: string;
  counts: string;
  state: string;
}

const n = (v: number): string => v.toLocaleString('en-US');

/** One cli-progress multibar with a bar per file (bytes parsed), fed by `loadDirectory`'s onProgress. */
export class ProgressDisplay {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private width = 12;

  constructor(stream: NodeJS.WritableStream = process.stderr) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        format: '{file} {bar} {percentage}% | {rows} | {counts} | {state}',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        fps: 8,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  readonly onProgress = (event: LoadProgressEvent): void => {
    switch (event.type) {
      case 'plan': {
        const files = event.files.filter((f) => !f.missing);
        this.width = Math.max(this.width, ...files.map((f) => f.file.length));
        for (const f of files) {
          this.bars.set(f.file, this.multibar.create(Math.max(1, f.bytes), 0, this.payload(f.file, 0, '', 'waiting')));
        }
        break;
      }
      case 'file-started':
        this.bars.get(event.file)?.update(0, this.payload(event.file, 0, '', 'loading'));
        break;
      case 'file-progress': {
        const c = event.counts;
        const counts = `${n(c.accepted)} ok, ${n(c.duplicates)} dup, ${n(c.rejected)} rejected${c.failed > 0 ? `, ${n(c.failed)} failed` : ''}`;
        this.bars.get(event.file)?.update(event.bytesRead, this.payload(event.file, c.rowsRead, counts, 'loading'));
        break;
      }
      case 'file-finished': {
        const s = event.summary;
        const counts = `${n(s.accepted)} ok, ${n(s.duplicates)} dup, ${n(s.rejected)} rejected${s.failed > 0 ? `, ${n(s.failed)} failed` : ''}`;
        const bar = this.bars.get(event.file);
        bar?.update(s.status === 'loaded' ? bar.getTotal() : bar.getProgress() * bar.getTotal(), this.payload(event.file, s.rowsRead, counts, s.status));
        break;
      }
      default:
        break;
    }
  };

  /** Writes above the bars (the string must end with a newline). */
  log(text: string): void {
    this.multibar.log(text);
  }

  stop(): void {
    this.multibar.stop();
  }

  private payload(file: string, rows: number, counts: string, state: string): Payload {
    return { file: file.padEnd(this.width), rows: `${n(rows)} rows`, counts: counts || '-', state };
  }
}
