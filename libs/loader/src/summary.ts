import type { BatchResult, SourceRow } from '@olist/ingestion';
import type { RunQuality } from './quality.js';

/**
 * - `loaded`: every row read was answered by the API (accepted, duplicate or rejected);
 * - `failed`: some rows were not (their batches failed: see `failures`);
 * - `read-error`: the file could not be read to its end (rows read before the error were posted);
 * - `missing`: the file is not in the directory;
 * - `invalid`: the file cannot be loaded as a whole (empty, a header and no rows, not a CSV file of its kind, a
 *   required column missing): nothing of the load was posted;
 * - `aborted`: loading stopped in the middle of the file (fatal error or cancellation);
 * - `not-loaded`: loading stopped before this file.
 */
export type FileStatus = 'loaded' | 'failed' | 'read-error' | 'missing' | 'invalid' | 'aborted' | 'not-loaded';

export interface FileCounts {
  rowsRead: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  eventsAppended: number;
  /** Rows read that the API did not answer for (failed batches, or never posted). */
  failed: number;
}

export interface ReasonCount {
  /** The reason with quoted values replaced by "…", so rows failing the same way count together. */
  readonly reason: string;
  readonly count: number;
  /** The first full reason seen, when it differs from `reason`. */
  readonly example?: string;
  /** First few lines rejected for it. */
  readonly lines: ReadonlyArray<number>;
}

export interface BatchFailure {
  readonly message: string;
  readonly status?: number;
  readonly batches: number;
  readonly rows: number;
  readonly firstLine: number;
}

export interface FileSummary extends FileCounts {
  readonly file: string;
  readonly fileName: string;
  readonly path: string;
  status: FileStatus;
  bytes: number;
  blankLines: number;
  batches: number;
  failedBatches: number;
  durationMs: number;
  /** Top rejection reasons, most frequent first. */
  rejectionReasons: ReasonCount[];
  /** Distinct rejection reasons seen (the list above is the top of them). */
  distinctRejectionReasons: number;
  failures: BatchFailure[];
  /** Problems that are not per-batch: read errors, unparsable records, header mismatches. */
  warnings: string[];
  error?: string;
}

export type LoadErrorCode =
  | 'NO_FILES'
  | 'BAD_FILES'
  | 'API_UNREACHABLE'
  | 'API_UNAUTHORIZED'
  | 'RUN_START_FAILED'
  | 'RUN_COMPLETE_FAILED'
  | 'ABORTED';

export interface LoadSummary {
  readonly runId: string;
  readonly apiUrl: string;
  readonly source: string;
  /** `started` / `already-started` as the API answered, or null if the run could not be started. */
  runStatus: string | null;
  /** Whether `/complete` was posted and acknowledged. */
  completed: boolean;
  /** Files that were expected (all nine, or the `--only` ones) but are not in the directory. */
  missingFiles: string[];
  files: FileSummary[];
  totals: FileCounts & { durationMs: number; bytes: number };
  /** The run's quality outcome, when the loader waited for it (`qualityWaitMs`, CLI `--wait-quality`). */
  quality?: RunQuality;
  /** A fatal error that stopped the load, if any. */
  error?: { code: LoadErrorCode; message: string };
  /** True when every expected file was loaded with every row answered and the run completed. */
  ok: boolean;
}

const NO_QUOTED = /"[^"]*"|'[^']*'/g;
export const normalizeReason = (reason: string): string => reason.replace(NO_QUOTED, (q) => `${q[0]}…${q[0]}`);

/** Counts rejection reasons; bounded, so a file of a million distinct reasons cannot exhaust memory. */
export class ReasonTally {
  private readonly counts = new Map<string, { count: number; example: string; lines: number[] }>();
  private overflow = { count: 0, lines: [] as number[] };

  constructor(
    private readonly maxDistinct = 10_000,
    private readonly sampleLines = 3,
  ) {}

  add(reason: string, line: number): void {
    const key = normalizeReason(reason);
    let entry = this.counts.get(key);
    if (!entry) {
      if (this.counts.size >= this.maxDistinct) {
        this.overflow.count++;
        if (this.overflow.lines.length < this.sampleLines) this.overflow.lines.push(line);
        return;
      }
      entry = { count: 0, example: reason, lines: [] };
      this.counts.set(key, entry);
    }
    entry.count++;
    if (entry.lines.length < this.sampleLines) entry.lines.push(line);
  }

  get distinct(): number {
    return this.counts.size + (this.overflow.count > 0 ? 1 : 0);
  }

  top(n: number): ReasonCount[] {
    const all: ReasonCount[] = [...this.counts].map(([reason, e]) => ({
      reason,
      count: e.count,
      ...(e.example !== reason ? { example: e.example } : {}),
      lines: e.lines,
    }));
    if (this.overflow.count > 0) all.push({ reason: '(other reasons)', count: this.overflow.count, lines: this.overflow.lines });
    return all.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)).slice(0, n);
  }
}

/** Accumulates one file's outcome as batches come back. */
export class FileTally {
  readonly summary: FileSummary;
  readonly reasons = new ReasonTally();
  private readonly failures = new Map<string, BatchFailure>();
  /** Set when an API answer did not add up (see `addResponse`). */
  inconsistent = false;

  constructor(file: { name: string; fileName: string }, path: string) {
    this.summary = {
      file: file.name,
      fileName: file.fileName,
      path,
      status: 'not-loaded',
      bytes: 0,
      rowsRead: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      eventsAppended: 0,
      failed: 0,
      blankLines: 0,
      batches: 0,
      failedBatches: 0,
      durationMs: 0,
      rejectionReasons: [],
      distinctRejectionReasons: 0,
      failures: [],
      warnings: [],
    };
  }

  /** Records the API's answer to a batch; returns a problem description if it does not add up. */
  addResponse(rows: ReadonlyArray<SourceRow>, res: BatchResult): string | undefined {
    const s = this.summary;
    s.batches++;
    const accepted = count(res.accepted);
    const duplicates = count(res.duplicates);
    const rejected = count(res.rejected);
    s.accepted += accepted;
    s.duplicates += duplicates;
    s.rejected += rejected;
    s.eventsAppended += count(res.eventsAppended);
    const results = Array.isArray(res.results) ? res.results : [];
    for (const r of results) {
      if (r?.outcome !== 'rejected') continue;
      const reasons = Array.isArray(r.reasons) && r.reasons.length > 0 ? r.reasons : ['(no reason given)'];
      for (const reason of reasons) this.reasons.add(String(reason), r.line);
    }
    const answered = accepted + duplicates + rejected;
    if (answered !== rows.length) {
      this.inconsistent = true;
      return `the API answered for ${answered} of ${rows.length} rows in the batch starting at line ${rows[0]?.line}`;
    }
    return undefined;
  }

  addFailure(rows: ReadonlyArray<SourceRow>, message: string, status?: number): void {
    this.summary.batches++;
    this.summary.failedBatches++;
    const prev = this.failures.get(message);
    this.failures.set(message, {
      message,
      ...(status === undefined ? {} : { status }),
      batches: (prev?.batches ?? 0) + 1,
      rows: (prev?.rows ?? 0) + rows.length,
      firstLine: Math.min(prev?.firstLine ?? Infinity, rows[0]?.line ?? Infinity),
    });
  }

  /** Fixes the derived fields once the file is done. */
  finish(topReasons: number): FileSummary {
    const s = this.summary;
    s.failed = Math.max(0, s.rowsRead - s.accepted - s.duplicates - s.rejected);
    s.rejectionReasons = this.reasons.top(topReasons);
    s.distinctRejectionReasons = this.reasons.distinct;
    s.failures = [...this.failures.values()].sort((a, b) => a.firstLine - b.firstLine);
    if (s.status === 'not-loaded') s.status = s.failed > 0 || s.failures.length > 0 || this.inconsistent ? 'failed' : 'loaded';
    return s;
  }
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

export const totalsOf = (files: ReadonlyArray<FileSummary>, durationMs: number): LoadSummary['totals'] => {
  const t = { rowsRead: 0, accepted: 0, duplicates: 0, rejected: 0, eventsAppended: 0, failed: 0, durationMs, bytes: 0 };
  for (const f of files) {
    t.rowsRead += f.rowsRead;
    t.accepted += f.accepted;
    t.duplicates += f.duplicates;
    t.rejected += f.rejected;
    t.eventsAppended += f.eventsAppended;
    t.failed += f.failed;
    t.bytes += f.bytes;
  }
  return t;
};

/** 0 when all is well (rejections are data outcomes), 130 when cancelled, 1 otherwise. */
/** 0 loaded (and, when waited for, quality SUCCESS or WARN); 1 load problems; 2 the run FAILED its quality checks; 130 interrupted. */
export const exitCodeFor = (summary: LoadSummary): number =>
  !summary.ok ? (summary.error?.code === 'ABORTED' ? 130 : 1) : summary.quality?.status === 'FAILED' ? 2 : 0;
