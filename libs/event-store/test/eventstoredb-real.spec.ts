import { EventStoreDbEventStore } from '../src/index.js';
import { describeEventStoreContract } from './event-store.contract.js';

// Opt-in: the contract suite against a real EventStoreDB node, e.g.
//   EVENTSTORE_URL=esdb://127.0.0.1:2113?tls=false npm test -- libs/event-store/test/eventstoredb-real.spec.ts
const url = process.env.EVENTSTORE_URL;

if (url) {
  describeEventStoreContract(
    `EventStoreDB adapter on a real server (${url})`,
    async () => {
      const store = EventStoreDbEventStore.connect(url);
      return { store, cleanup: () => store.close() };
    },
    { timeoutMs: 30_000 },
  );
} else {
  describe.skip('EventStoreDB adapter on a real server: set EVENTSTORE_URL (esdb://host:2113?tls=false) to run', () => {
    it('needs EVENTSTORE_URL', () => undefined);
  });
}
