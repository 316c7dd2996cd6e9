import { describeGeneratedLoad } from '../support/generated-load.suite.js';

// Embedded mode: PGlite event store, in-process projector, DuckDB file.
describeGeneratedLoad('embedded, PGlite');
