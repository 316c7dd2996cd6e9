// The operations view: projections and their lag, pipeline runs, a run's files and failing quality rules, the quarantine.
import { ApiError, apiGet, explain } from './api.js';
import { $, el, fmt, num, showMessage, td } from './dom.js';

const QUARANTINE_PAGE = 25;
/** How long the status request may wait for the projectors to apply everything committed so far. */
const CAUGHT_UP_WAIT_MS = 500;

const state = { runs: [], details: new Map(), selectedRun: undefined, quarantine: { runId: '', file: '', reason: '', offset: 0, total: 0 } };

const statusCell = (value) => td(value ?? '–', { class: value ? `status-${value}` : undefined });
const ago = (iso) => {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return `${fmt.time(iso)} (${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`} ago)`;
};

const runDetail = async (runId) => {
  if (!state.details.has(runId)) state.details.set(runId, await apiGet(`/v1/pipeline-runs/${runId}`));
  return state.details.get(runId);
};

const loadProjections = async () => {
  const message = $('#projections-message');
  const table = $('#projections');
  showMessage(message, '');
  try {
    const status = await apiGet('/v1/projections/status', { waitMs: CAUGHT_UP_WAIT_MS });
    const caughtUp = status.caughtUp ? 'yes' : `no: still applying after ${CAUGHT_UP_WAIT_MS} ms`;
    $('tbody', table).replaceChildren(...status.projections.map((p) => el('tr', { 'data-projection': p.name },
      td(p.name), td(p.error ? `failed: ${p.error}` : p.running ? 'running' : 'stopped', { class: p.error ? 'status-FAILED' : p.running ? 'status-COMPLETED' : 'status-WARN' }),
      num(fmt.count(p.eventsProjected)), td(p.checkpoint ?? '–', { class: 'mono' }), td(ago(p.lastBatchAt)), td(caughtUp))));
    table.dataset.state = 'ready';
    await loadMartLag(status.projections);
  } catch (error) {
    table.dataset.state = 'error';
    showMessage(message, explain(error, 'the projection status'), { error: true });
  }
};

/** The marts are rebuilt from the star schema after batches: how far their last refresh is behind it. */
const loadMartLag = async (projections) => {
  const line = $('#mart-lag');
  try {
    const { refresh } = await apiGet('/v1/marts');
    const star = projections.find((p) => p.name.includes('star'));
    const behind = star ? star.eventsProjected - refresh.eventsProjected : undefined;
    line.textContent = `Marts: refresh ${refresh.sequence} at ${fmt.time(refresh.refreshedAt)}, built from ${fmt.count(refresh.eventsProjected)} events` +
      (behind === undefined ? '.' : behind > 0 ? `: ${fmt.count(behind)} events behind the star schema.` : ': up to date with the star schema.');
  } catch (error) {
    line.textContent = error instanceof ApiError && error.status === 403 ? 'Marts: the refresh they are at needs an analyst or auditor key.' : explain(error, 'the mart refresh');
  }
};

const loadRuns = async () => {
  const message = $('#runs-message');
  const table = $('#runs');
  showMessage(message, '');
  try {
    state.runs = (await apiGet('/v1/pipeline-runs', { limit: 20 })).runs;
  } catch (error) {
    table.dataset.state = 'error';
    showMessage(message, explain(error, 'pipeline runs'), { error: true });
    $('#run-detail').hidden = true;
    showMessage($('#quarantine-message'), explain(error, 'the quarantine'), { error: true });
    $('#quarantine').dataset.state = 'error';
    return false;
  }
  $('tbody', table).replaceChildren(...state.runs.map((run) => {
    const button = el('button', { type: 'button', 'aria-label': `Show run ${run.run_id}` }, fmt.shortId(run.run_id));
    button.addEventListener('click', () => void selectRun(run.run_id));
    return el('tr', { 'data-run-id': run.run_id },
      el('td', { class: 'mono' }, button), td(run.source), statusCell(run.status), statusCell(run.outcome),
      num(run.quality_score === null ? '–' : fmt.score(run.quality_score)), td(fmt.time(run.started_at)), td(fmt.time(run.completed_at ?? run.failed_at)));
  }));
  if (state.runs.length === 0) showMessage(message, 'No pipeline run yet: load files with `npm run load -- DIR`.');
  table.dataset.state = 'ready';
  const runSelect = $('#filter-run');
  runSelect.replaceChildren(el('option', { value: '' }, 'any run'),
    ...state.runs.map((run) => el('option', { value: run.run_id }, `${fmt.shortId(run.run_id)} · ${fmt.time(run.started_at)}`)));
  return true;
};

const selectRun = async (runId) => {
  state.selectedRun = runId;
  for (const row of $('#runs tbody').children) row.setAttribute('aria-selected', String(row.dataset.runId === runId));
  const section = $('#run-detail');
  section.dataset.state = 'loading';
  section.hidden = false;
  const run = await runDetail(runId);
  $('#run-title').textContent = `Run ${run.run_id} · ${run.status}${run.outcome ? ` · ${run.outcome}` : ''}` +
    (run.quality_score === null ? '' : ` · quality score ${fmt.score(run.quality_score)}`);
  const files = run.statistics;
  const total = (column) => files.reduce((t, f) => t + Number(f[column] ?? 0), 0);
  $('#run-files tbody').replaceChildren(...files.map((f) => el('tr', { 'data-file': f.file },
    td(f.file), num(fmt.count(f.batches)), num(fmt.count(f.rows)), num(fmt.count(f.accepted)), num(fmt.count(f.duplicates)),
    num(fmt.count(f.rejected)), num(fmt.count(f.events_appended)))));
  $('#run-files tfoot').replaceChildren(el('tr', {}, td('all files'), num(fmt.count(total('batches'))), num(fmt.count(total('rows'))),
    num(fmt.count(total('accepted'))), num(fmt.count(total('duplicates'))), num(fmt.count(total('rejected'))), num(fmt.count(total('events_appended')))));
  failingRules(run.quality);
  section.dataset.state = 'ready';
};

const failingRules = (quality) => {
  const box = $('#failing-rules');
  if (!quality) {
    box.replaceChildren(el('p', {}, 'Not checked yet: the quality checks run once the run is loaded and projected.'));
    return;
  }
  const failing = quality.checks.filter((c) => !c.passed);
  $('#failing-title').textContent = `Failing quality rules: ${failing.length} of ${quality.checks.length} checks (score ${fmt.score(quality.score)}, ${quality.outcome})`;
  if (failing.length === 0) {
    box.replaceChildren(el('p', {}, 'Every rule passed.'));
    return;
  }
  box.replaceChildren(...failing.map((check, index) => {
    const columns = [...new Set(check.samples.flatMap((s) => Object.keys(s)))];
    const samples = check.samples.length === 0 ? el('p', {}, 'No sample rows.') : el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col' }, c)))),
      el('tbody', {}, ...check.samples.map((s) => el('tr', {}, ...columns.map((c) => td(s[c] ?? '–', { class: 'mono' })))))));
    return el('article', { class: 'rule', 'data-rule-id': check.rule_id },
      el('h5', {}, el('span', { class: `severity-${check.severity}` }, check.severity), ` ${check.rule_id}`),
      el('p', {}, `${check.description} (${check.rule_type} on ${check.table_name})`),
      el('p', {}, `${fmt.count(check.rows_failed)} of ${fmt.count(check.rows_checked)} rows fail; threshold ${check.threshold}.` + (check.error ? ` Error: ${check.error}` : '')),
      el('details', { open: index === 0 }, el('summary', {}, `Sample rows (${check.samples.length})`), samples));
  }));
};

/** The file and reason choices: the rejections counted for the chosen run, or for every listed run. */
const fillFilterChoices = async () => {
  const form = $('#quarantine-filter');
  form.dataset.state = 'loading';
  const { runId, file, reason } = state.quarantine;
  const runs = runId ? [runId] : state.runs.map((r) => r.run_id);
  const rejections = (await Promise.all(runs.map(runDetail))).flatMap((run) => run.rejections);
  const count = (rows) => rows.reduce((t, r) => t + r.rows, 0);
  const byFile = new Map();
  for (const r of rejections) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const fileSelect = $('#filter-file');
  fileSelect.replaceChildren(el('option', { value: '' }, 'any file'),
    ...[...byFile.keys()].sort().map((f) => el('option', { value: f }, `${f} (${fmt.count(count(byFile.get(f)))})`)));
  fileSelect.value = byFile.has(file) ? file : '';
  const reasons = new Map();
  for (const r of rejections) if (!fileSelect.value || r.file === fileSelect.value) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + r.rows);
  const reasonSelect = $('#filter-reason');
  reasonSelect.replaceChildren(el('option', { value: '' }, 'any reason'),
    ...[...reasons.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => el('option', { value: r }, `${r} (${fmt.count(n)})`)));
  reasonSelect.value = reasons.has(reason) ? reason : '';
  form.dataset.file = fileSelect.value;
  form.dataset.state = 'ready';
};

/** One page of GET /v1/quarantine with the chosen filters (the API filters; the page shows what it answers). */
const loadQuarantine = async () => {
  const table = $('#quarantine');
  const message = $('#quarantine-message');
  const { runId, file, reason, offset } = state.quarantine;
  const query = { runId, file, reason, limit: QUARANTINE_PAGE, offset };
  table.dataset.state = 'loading';
  showMessage(message, '');
  try {
    const page = await apiGet('/v1/quarantine', query);
    // What this table answers, for whoever checks it against the API (the browser test).
    table.dataset.query = JSON.stringify(query);
    state.quarantine.total = page.total;
    $('tbody', table).replaceChildren(...page.rows.map((row) => el('tr', { 'data-file': row.file, 'data-line': row.line },
      td(row.file), num(row.line), el('td', {}, el('ul', {}, ...row.reasons.map((r) => el('li', { class: 'reason' }, r)))),
      td(Object.entries(row.raw ?? {}).map(([k, v]) => `${k}=${v}`).join(' · '), { class: 'values mono' }), td(fmt.time(row.rejected_at)))));
    const filters = [runId ? `run ${fmt.shortId(runId)}` : 'any run', file ? `file ${file}` : 'any file', reason ? `reason “${reason}”` : 'any reason'].join(', ');
    $('#quarantine-count').textContent = page.total === 0
      ? `No quarantined row matches (${filters}).`
      : `Rows ${fmt.count(offset + 1)}–${fmt.count(offset + page.rows.length)} of ${fmt.count(page.total)} (${filters}).`;
    $('#quarantine-count').dataset.total = String(page.total);
    $('#quarantine-previous').disabled = offset === 0;
    $('#quarantine-next').disabled = offset + page.rows.length >= page.total;
    table.dataset.state = 'ready';
  } catch (error) {
    table.dataset.state = 'error';
    showMessage(message, explain(error, 'the quarantine'), { error: true });
  }
};

let wired = false;
const wireQuarantine = () => {
  if (wired) return;
  wired = true;
  const form = $('#quarantine-filter');
  $('#filter-run').addEventListener('change', async (event) => {
    state.quarantine.runId = event.target.value;
    await fillFilterChoices();
  });
  $('#filter-file').addEventListener('change', async (event) => {
    state.quarantine.file = event.target.value;
    await fillFilterChoices();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    Object.assign(state.quarantine, { runId: $('#filter-run').value, file: $('#filter-file').value, reason: $('#filter-reason').value, offset: 0 });
    await loadQuarantine();
  });
  $('#quarantine-previous').addEventListener('click', async () => {
    state.quarantine.offset = Math.max(0, state.quarantine.offset - QUARANTINE_PAGE);
    await loadQuarantine();
  });
  $('#quarantine-next').addEventListener('click', async () => {
    state.quarantine.offset += QUARANTINE_PAGE;
    await loadQuarantine();
  });
};

export const loadOperations = async () => {
  const view = $('#operations');
  view.dataset.state = 'loading';
  state.details.clear();
  wireQuarantine();
  const [, runsRead] = await Promise.all([loadProjections(), loadRuns()]);
  if (runsRead) {
    const newest = state.runs[0]?.run_id;
    if (newest) {
      state.quarantine.runId ||= newest;
      $('#filter-run').value = state.quarantine.runId;
      await selectRun(state.selectedRun ?? newest);
    }
    await fillFilterChoices();
    await loadQuarantine();
  }
  view.dataset.state = 'ready';
};
