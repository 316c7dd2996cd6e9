import { EventStoreDbEventStore } from '../src/index.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { EsdbTestDouble, type EsdbTestDoubleOptions } from './esdb/server.js';

const onTheDouble = (options: EsdbTestDoubleOptions) => async () => {
  const double = await EsdbTestDouble.start(options);
  const store = EventStoreDbEventStore.connect(double.connectionString);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await double.stop();
    },
  };
};

// The real @eventstore/db-client against the protocol-level test double (./esdb/server.ts) on a loopback port.
// EventStoreDB cannot append to several streams atomically, so appendMany is not atomic.
describeEventStoreContract('EventStoreDB adapter on the test double', onTheDouble({}), { atomicAppendMany: false });

// A server before 23.10 never sends caughtUp: the adapter's caughtUp() must not depend on it.
describeEventStoreContract('EventStoreDB adapter on the test double, no caughtUp messages (server < 23.10)', onTheDouble({ sendCaughtUp: false }), {
  atomicAppendMany: false,
});
