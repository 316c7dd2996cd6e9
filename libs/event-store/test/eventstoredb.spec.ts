import { EventStoreDbEventStore } from '../src/index.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { EsdbTestDouble, type EsdbTestDoubleOptions } from '../testing/index.js';

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

// The real @eventstore/db-client against the protocol-level test double (../testing/esdb/server.ts) on a loopback port.
// EventStoreDB cannot append to several streams atomically: a race during appendMany is staged in
// eventstoredb-double.spec.ts.
describeEventStoreContract('EventStoreDB adapter on the test double', onTheDouble({}));

// A server without ServerFeatures (before 21.10): the client appends through the unary Append instead of BatchAppend.
describeEventStoreContract('EventStoreDB adapter on the test double, unary Append (no ServerFeatures)', onTheDouble({ serverFeatures: false }));

// A server before 23.10 never sends caughtUp: the adapter's caughtUp() must not depend on it.
describeEventStoreContract('EventStoreDB adapter on the test double, no caughtUp messages (server < 23.10)', onTheDouble({ sendCaughtUp: false }));
