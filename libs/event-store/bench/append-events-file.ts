/**
 * The appends section of `npm run bench` on its own, for an events file (libs/event-store/bench/events-file.ts):
 * the COPY floor, Emmett if `--emmett-peer` names the peer's directory (bench/emmett-peer),
 * then our store by 1 and 4 writers, each run in scratch databases on the server.
 *   npm run -s build && node dist/libs/event-store/bench/append-events-file.js --events FILE [--runs 3]
 *     [--writers 1,4] [--batch 1000] [--emmett-peer bench/emmett-peer]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL } from '@olist/postgres';
import { appendEmmett, appendOurs } from './append-runs.js';
import { copyFloor } from './copy-floor.js';
import { readEventsFile, type BenchEvent } from './events-file.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    runs: { type: 'string', default: '3' },
    writers: { type: 'string', default: '1,4' },
    batch: { type: 'string', default: '1000' },
    'emmett-peer': { type: 'string' },
  },
});
if (!values.events) throw new Error('--events FILE is required');
const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const runs = Number(values.runs);
const writerCounts = values.writers.split(',').map(Number);
const batchSize = Number(values.batch);

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (x: number) => `${Math.round(x).toLocaleString('en')} events/s`;

const events: BenchEvent[] = [];
for await (const e of readEventsFile(values.events)) events.push(e);
const copy: number[] = [];
const emmett: number[] = [];
const ours = new Map<number, number[]>(writerCounts.map((w) => [w, []]));
for (let r = 0; r < runs; r++) {
  copy.push((await copyFloor(serverUrl, values.events)).eventsPerSecond);
  if (values['emmett-peer']) emmett.push(await appendEmmett(serverUrl, values['emmett-peer'], values.events));
  for (const writers of writerCounts) ours.get(writers)!.push(await appendOurs(serverUrl, events, writers, batchSize));
  const peer = emmett.length > 0 ? `, Emmett ${rate(emmett[r]!)}` : '';
  console.log(`run ${r + 1}: COPY ${rate(copy[r]!)}${peer}, ${writerCounts.map((w) => `ours ${w}w ${rate(ours.get(w)![r]!)}`).join(', ')}`);
}
const emmettRate = emmett.length > 0 ? median(emmett) : undefined;
console.log(`${events.length} events, medians of ${runs} run(s): COPY ${rate(median(copy))}` + (emmettRate ? `, Emmett ${rate(emmettRate)}` : ''));
for (const [writers, rates] of ours) {
  const value = median(rates);
  const peer = emmettRate ? `, ${(value / emmettRate).toFixed(2)}× Emmett` : '';
  console.log(`  ours, ${writers} writer(s): ${rate(value)}, ${((value / median(copy)) * 100).toFixed(1)}% of COPY${peer}`);
}
