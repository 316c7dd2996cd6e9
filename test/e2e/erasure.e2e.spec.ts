import { erasureSuite } from '../support/erasure.suite.js';

erasureSuite('LGPD erasure end to end: the PostgreSQL event store (PGlite)', () => ({}));
