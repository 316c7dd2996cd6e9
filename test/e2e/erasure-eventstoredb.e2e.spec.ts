import { EsdbTestDouble } from '../../libs/event-store/testing/index.js';
import { erasureSuite } from '../support/erasure.suite.js';

let double: EsdbTestDouble;
beforeAll(async () => {
  double = await EsdbTestDouble.start();
});
afterAll(async () => {
  await double?.stop();
});

erasureSuite('LGPD erasure end to end: the EventStoreDB adapter (test double)', () => ({ EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: double.connectionString }));
