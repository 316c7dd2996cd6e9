import type { RunQuality } from './quality.js';
import type { FileSummary, LoadSummary } from './summary.js';

const n = (v: number): string => v.toLocaleString('en-US');

export const formatDuration = (ms: number): string =>
  ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

/** A plain-text table: first column left-aligned, the others right-aligned. */
export const renderTable = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, footer?: ReadonlyArray<string>): string => {
  const all = footer ? [head, ...rows, footer] : [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: ReadonlyArray<string>): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(head), rule, ...rows.map(line), ...(footer ? [rule, line(footer)] : [])].join('\n');
};

/** The human-readable end-of-load report (for stdout). */
export const renderSummary = (summary: LoadSummary): string => {
  const showFailed = summary.totals.failed > 0 || summary.files.some((f) => f.failedBatches > 0);
  const head = ['file', 'rows read', 'accepted', 'duplicates', 'rejected', 'events', ...(showFailed ? ['failed'] : []), 'status', 'time'];
  const row = (f: FileSummary): string[] => {
    const untouched = f.status === 'missing' || f.status === 'invalid' || f.status === 'not-loaded';
    const counts = [f.rowsRead, f.accepted, f.duplicates, f.rejected, f.eventsAppended, ...(showFailed ? [f.failed] : [])];
    return [f.file, ...counts.map((c) => (untouched ? '-' : n(c))), f.status, untouched ? '' : formatDuration(f.durationMs)];
  };
  const t = summary.totals;
  const footer = ['total', n(t.rowsRead), n(t.accepted), n(t.duplicates), n(t.rejected), n(t.eventsAppended), ...(showFailed ? [n(t.failed)] : []), '', formatDuration(t.durationMs)];

  const out: string[] = [`Pipeline run ${summary.runId}${summary.runStatus === 'already-started' ? ' (a run of the same files already exists: rejoined)' : ''}`, `API ${summary.apiUrl}, source ${summary.source}`, ''];
  out.push(renderTable(head, summary.files.map(row), footer));

  const rejected = summary.files.filter((f) => f.rejectionReasons.length > 0);
  if (rejected.length > 0) {
    out.push('', 'Top rejection reasons');
    for (const f of rejected) {
      const more = f.distinctRejectionReasons > f.rejectionReasons.length ? `, ${n(f.distinctRejectionReasons)} distinct reasons` : '';
      out.push(`  ${f.file} (${n(f.rejected)} rows rejected${more})`);
      const width = Math.max(...f.rejectionReasons.map((r) => n(r.count).length));
      for (const r of f.rejectionReasons) {
        const lines = r.lines.length > 0 ? `  (line ${r.lines.join(', ')}${r.count > r.lines.length ? ', …' : ''})` : '';
        out.push(`    ${n(r.count).padStart(width)}  ${r.reason}${lines}`);
      }
    }
  }

  const failing = summary.files.filter((f) => f.failures.length > 0);
  if (failing.length > 0) {
    out.push('', 'Failed batches (rows not ingested)');
    for (const f of failing) {
      for (const x of f.failures) {
        out.push(`  ${f.file}: ${x.message} (${n(x.batches)} batch${x.batches === 1 ? '' : 'es'}, ${n(x.rows)} rows, from line ${x.firstLine})`);
      }
    }
  }

  const notes = summary.files.flatMap((f) => [
    ...(f.error ? [`  ${f.file}: ${f.error}`] : []),
    ...f.warnings.slice(0, 5).map((w) => `  ${f.file}: ${w}`),
    ...(f.warnings.length > 5 ? [`  ${f.file}: … and ${f.warnings.length - 5} more warnings`] : []),
    ...(f.blankLines > 0 ? [`  ${f.file}: ${n(f.blankLines)} blank lines skipped`] : []),
  ]);
  if (notes.length > 0) out.push('', 'Files', ...notes);

  if (summary.quality) out.push('', ...renderQuality(summary.quality));

  out.push('');
  if (summary.error) out.push(`FAILED (${summary.error.code}): ${summary.error.message}`);
  if (summary.completed) out.push(`Run ${summary.runId} completed${summary.ok ? '.' : ', with problems (see above).'}`);
  else out.push(`Run ${summary.runId} NOT completed.`);
  return out.join('\n') + '\n';
};

const renderQuality = (q: RunQuality): string[] => {
  if (q.score === null) {
    return [`Quality: not checked yet (run ${q.status}${q.status === 'LOADED' ? ': the projector checks it once it has caught up' : ''})${q.error ? `: ${q.error}` : ''}`];
  }
  const head = `Quality: ${q.outcome}, score ${q.score} / 100 (${q.checks - q.failedChecks.length} of ${q.checks} checks passed)`;
  return [head, ...q.failedChecks.map((c) => `  ${c.severity.padEnd(8)} ${c.ruleId}: ${n(c.rowsFailed)} of ${n(c.rowsChecked)} rows (${c.description})`)];
};

/** The machine-readable report (`--json`). */
export const renderJson = (summary: LoadSummary): string => JSON.stringify(summary, null, 2) + '\n';
