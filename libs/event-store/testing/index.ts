/**
 * TEST DOUBLES for the event store, kept out of the library's public index (`src/index.ts`) on purpose: nothing in
 * production code imports this folder. It is built (unlike `test/`), so the demo can start the EventStoreDB test
 * double when no real server is configured (`npm run demo -- --event-store eventstoredb`).
 */
export { EsdbTestDouble, type EsdbTestDoubleOptions } from './esdb/server.js';
