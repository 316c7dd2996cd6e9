/**
 * `npm run lineage -- <mart> key=value… [--limit N]`: where a mart row comes from — its fact rows, each fact
 * row's events, and each event's source file, line and values — through the API's lineage endpoints (a key of
 * an auditor: --api-key, OLIST_DW_API_KEY, else var/admin.key).
 */
import { Argument } from 'commander';
import { adminProgram } from './support/admin-client.js';

interface FactPage { table: string; total: number; rows: Array<Record<string, string> & { lineage: string }> }
interface FactLineage { events: Array<{ type: string; eventId: string; streamId: string; position: string; source: { file: string; line: number; values: unknown } | null }> }

const { program, client, print, run } = adminProgram('lineage', 'Trace a mart row to its facts, events and CSV lines');
program
  .addArgument(new Argument('<mart>', 'the mart, e.g. monthly_revenue'))
  .addArgument(new Argument('<key...>', "the row's key columns, e.g. month=2017-11-01"))
  .option('--limit <n>', 'fact rows per table', '20')
  .action(async (mart: string, keys: string[], o: { limit: string }) => {
    const key = Object.fromEntries(keys.map((k) => k.split('=', 2) as [string, string]));
    const api = client();
    const page = await api.call<{ row: Record<string, unknown>; facts: FactPage[] }>('GET', `/v1/audit/lineage/marts/${mart}?${new URLSearchParams({ ...key, limit: o.limit })}`);
    const traced: Array<{ table: string; row: Record<string, string>; events: FactLineage['events'] }> = [];
    for (const facts of page.facts) {
      for (const row of facts.rows) traced.push({ table: facts.table, row, events: (await api.call<FactLineage>('GET', row.lineage)).events });
    }
    print({ ...page, traced }, () => [
      `${mart} ${JSON.stringify(key)}: ${JSON.stringify(page.row)}`,
      ...page.facts.map((f) => `  ${f.table}: ${f.total} rows${f.total > f.rows.length ? ` (first ${f.rows.length} traced)` : ''}`),
      ...traced.flatMap((t) => [
        `  ${t.table} ${JSON.stringify(Object.fromEntries(Object.entries(t.row).filter(([k]) => k !== 'lineage')))}`,
        ...t.events.map((e) => `    ${e.type} ${e.eventId} (${e.streamId} @ ${e.position}) ← ${e.source ? `${e.source.file}:${e.source.line} ${JSON.stringify(e.source.values)}` : 'no source row'}`),
      ]),
    ].join('\n'));
  });

void run();
