import { EventStoreDbEventStore } from '../src/index.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { EsdbTestDouble } from './esdb/server.js';

// The real @eventstore/db-client against the protocol-level test double (./esdb/server.ts) on a loopback port.
// EventStoreDB cannot append to several streams atomically, so appendMany is not atomic.
describeEventStoreContract(
  'EventStoreDB adapter on the test double',
  async () => {
    const double = await EsdbTestDouble.start();
    const store = EventStoreDbEventStore.connect(double.connectionString);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await double.stop();
      },
    };
  },
  { atomicAppendMany: false },
);
