// Jest runs in native ESM mode (NestJS 12 is ESM-only); swc strips types and keeps decorator metadata.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@olist/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // PGlite and DuckDB start in 1-3 s alone but slower when CI runs suites side by side on 2 cores: the
  // 5 s default timed hooks out. Tests that need more still say so.
  testTimeout: 30_000,
};

const projects = {
  // No server needed: pure units, PGlite, DuckDB files, the Nest app over loopback HTTP.
  unit: { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,test}/**/*.spec.ts'], testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.pg\\.spec\\.ts$'] },
  // Needs a PostgreSQL server: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
  pg: { ...common, displayName: 'pg', testMatch: ['<rootDir>/{apps,libs,tools,test}/**/*.pg.spec.ts'] },
};

// `npm test` runs the unit project, `npm run test:pg` (OLIST_TESTS=pg) the server suites.
export default projects[process.env.OLIST_TESTS ?? 'unit'];
