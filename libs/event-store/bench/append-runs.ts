/**
 * The appends figures of `npm run bench` (tools/bench.ts) and of append-events-file.ts: our store and Emmett's
 * appending the same events file, each into a scratch database on a PostgreSQL server.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createPgClient, createTestDatabase, SESSION_OPTIONS } from '@olist/postgres';
import { PostgresEventStore, type AppendRequest, type EventData } from '@olist/event-store';
import type { BenchEvent } from './events-file.js';

/** Our store appending `events`: streams split between `writers`, each appending batches of `batchSize` consecutive events. Events/s. */
export async function appendOurs(serverUrl: string, events: ReadonlyArray<BenchEvent>, writers: number, batchSize = 1000): Promise<number> {
  const db = await createTestDatabase('bench_append', serverUrl);
  const sql = createPgClient(db.url);
  try {
    const store = new PostgresEventStore(sql);
    await store.migrate();
    const lanes: BenchEvent[][] = Array.from({ length: writers }, () => []);
    const laneOf = new Map<string, number>();
    for (const e of events) {
      let lane = laneOf.get(e.streamId);
      if (lane === undefined) laneOf.set(e.streamId, (lane = laneOf.size % writers));
      lanes[lane]!.push(e);
    }
    const started = performance.now();
    await Promise.all(
      lanes.map(async (lane) => {
        for (let i = 0; i < lane.length; i += batchSize) {
          const byStream = new Map<string, EventData[]>();
          for (const e of lane.slice(i, i + batchSize)) {
            const list = byStream.get(e.streamId) ?? [];
            list.push({ id: e.id, type: e.type, data: e.data, metadata: e.metadata });
            byStream.set(e.streamId, list);
          }
          const requests: AppendRequest[] = [...byStream].map(([streamId, list]) => ({ streamId, expectedRevision: 'any', events: list }));
          await store.appendMany(requests);
        }
      }),
    );
    return events.length / ((performance.now() - started) / 1000);
  } finally {
    await sql.close();
    await db.drop();
  }
}

/** Emmett's PostgreSQL event store (the peer in `peerDir`, installed with `npm ci` on first use) appending `eventsFile`, 8 in flight, its sessions set as ours. Events/s. */
export async function appendEmmett(serverUrl: string, peerDir: string, eventsFile: string): Promise<number> {
  if (!existsSync(join(peerDir, 'node_modules'))) execFileSync('npm', ['ci', '--silent', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: 'inherit' });
  const db = await createTestDatabase('bench_emmett', serverUrl);
  try {
    const args = [join(peerDir, 'append.mjs'), '--events', eventsFile, '--url', db.url, '--in-flight', '8'];
    // The same session settings as ours (pg reads PGOPTIONS): the ratio compares the stores, not the server's JIT.
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, PGOPTIONS: SESSION_OPTIONS } });
    return (JSON.parse(out.trim().split('\n').at(-1)!) as { eventsPerSecond: number }).eventsPerSecond;
  } finally {
    await db.drop();
  }
}
