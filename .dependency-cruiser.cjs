/**
 * The house rules (docs/architecture.md): which room may import which. `npm run lint:deps` checks them and
 * CI runs it; a violation fails with the rule's name.
 */
const DOMAIN = [
  '^libs/(shared-kernel|sales|fulfillment|customer|marketplace)/src/',
  '^libs/etl-orchestration/src/(events|pipeline-run/|ingestion-batch/)',
  '^libs/data-quality/src/rules/(quality-rule|score|rule-sql)',
  '^libs/security/src/domain/',
  '^libs/personal-data/src/domain/',
];
const INFRASTRUCTURE_PACKAGES =
  '^node_modules/(@nestjs|@electric-sql|@duckdb|@eventstore|@grpc|pg|pg-[a-z-]+|umzug|nestjs-pino|pino|pino-http|express|rxjs|class-validator|class-transformer|csv-parse|csv-stringify|commander|prom-client)(/|$)';
const INFRASTRUCTURE_LIBS =
  '^libs/(event-store|postgres|duckdb|infrastructure|event-catalog|command-side|projector|operations|analytics|loader|config|generator|ingestion|security|personal-data|observability)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere: each room depends on rooms below it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'apps-import-no-other-app',
      severity: 'error',
      comment: 'An app is a thin composition of libs; what two apps share belongs in a lib.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-import-no-app',
      severity: 'error',
      comment: 'Libs are composed by apps, never the other way round.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Domain rules (deciders, events, value objects, quality scoring) import no framework, database or other infrastructure.',
      from: { path: DOMAIN },
      to: { path: [INFRASTRUCTURE_PACKAGES, INFRASTRUCTURE_LIBS, '^libs/etl-orchestration/src/read-model/', '^libs/data-quality/src/rules/(rule-set|quality-engine)'] },
    },
    {
      name: 'plumbing-is-framework-free',
      severity: 'error',
      comment: 'The stores, the star schema, the metrics, the loader and the generator are plain libraries: Nest lives in the composing libs (infrastructure, security, command-side, projector, operations, audit, dashboard) and apps.',
      from: { path: '^libs/(event-store|postgres|duckdb|analytics|ingestion|generator|loader|event-catalog|data-quality|etl-orchestration|config|personal-data|observability)/src/' },
      to: { path: '^node_modules/@nestjs/' },
    },
    {
      name: 'dashboard-page-is-browser-code',
      severity: 'error',
      comment: 'The dashboard page\'s modules run in the browser: they import one another only (ECharts comes as a script of its own).',
      from: { path: '^libs/dashboard/public/' },
      to: { pathNot: '^libs/dashboard/public/' },
    },
    {
      name: 'production-imports-no-tests',
      severity: 'error',
      comment: 'test/ and testing/ (test doubles) are for tests and tools; apps and libs never import them.',
      from: { path: '^(apps|libs/[^/]+)/src/' },
      to: { path: '(^|/)(test|testing)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (a moved file left an import behind).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|var)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
