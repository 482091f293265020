/**
 * The layer rule (`npm run lint`): which part may import which, checked on the paths imports
 * resolve to — so `../typing.js` from another folder is caught the same as a long path would be.
 * The parts and the direction of their dependencies are drawn in docs/architecture.md.
 */

// Each part offers others what its index.ts exports; its other files are its own.
const PARTS = 'app|gateway|connectors|schemas|matchers|pipeline|lib/store|lib/bus|lib/observe';
// Tests, benches and test helpers may also reach a part's testing.ts (raw SQL, ready-made pipelines).
const TEST_CODE = ['\\.test\\.ts$', '(^|/)testing\\.ts$', '^bench/', '^deploy/', '^vitest\\.config\\.ts$'];
const TEST_ONLY = 'lib/store/testing\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'part-through-its-index',
      severity: 'error',
      comment:
        'A part is reached through its index.ts (what it offers others); its other files are its own. Tests may look inside the parts they exercise.',
      from: { path: `^(${PARTS})/`, pathNot: '\\.test\\.ts$' },
      to: {
        path: `^(${PARTS})/`,
        pathNot: [`^$1/`, `^(${PARTS})/index\\.ts$`, '(^|/)testing\\.ts$'],
      },
    },
    {
      name: 'outside-parts-through-index',
      severity: 'error',
      comment: 'Benches, deployment scripts and the top-level config reach a part through its index.ts (or its testing.ts).',
      from: { pathNot: [`^(${PARTS})/`, '\\.test\\.ts$'] },
      to: { path: `^(${PARTS})/`, pathNot: [`^(${PARTS})/index\\.ts$`, '(^|/)testing\\.ts$'] },
    },
    {
      name: 'testing-helpers-in-tests-only',
      severity: 'error',
      comment: 'A testing.ts (raw SQL on a store, ready-made pipelines) is for tests, benches and test helpers only.',
      from: { pathNot: TEST_CODE },
      to: { path: '(^|/)testing\\.ts$' },
    },
    {
      name: 'store-raw-sql-in-tests-only',
      severity: 'error',
      comment: 'lib/store/testing.ts runs raw SQL: the parts use the store’s typed repositories.',
      from: { pathNot: TEST_CODE },
      to: { path: TEST_ONLY },
    },
    {
      name: 'lib-is-the-bottom',
      severity: 'error',
      comment: 'lib/ holds the basics every part uses: it imports nothing above it.',
      from: { path: '^lib/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(app|gateway|matchers|pipeline|connectors|schemas)/' },
    },
    {
      name: 'schemas-import-lib-only',
      severity: 'error',
      comment: "schemas/ (the topics' Avro and the codec) imports lib/ only.",
      from: { path: '^schemas/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(app|gateway|matchers|pipeline|connectors)/' },
    },
    {
      name: 'connectors-make-facts-only',
      severity: 'error',
      comment: "connectors/ check agencies' records and make facts: they never import the pipeline, the gateway or the wiring.",
      from: { path: '^connectors/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(app|gateway|pipeline)/' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        'The decision core does no IO: it takes facts and a rule set and returns decisions. Loading rule files and catalogues (ruleSet.ts, support/load.ts) is the one exception.',
      from: {
        path: '^matchers/',
        pathNot: ['\\.test\\.ts$', '^matchers/ruleSet\\.ts$', '^matchers/support/load\\.ts$', '^matchers/testing/'],
      },
      to: {
        path: [
          '^(app|gateway|pipeline|connectors|schemas|lib/store|lib/bus|lib/observe)/',
          '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|child_process|worker_threads|cluster)$',
          '^node_modules/(pg|@platformatic/kafka|@electric-sql/pglite|express|piscina|lmdb|@duckdb)/',
        ],
      },
    },
    {
      name: 'core-and-pipeline-below-the-gateway',
      severity: 'error',
      comment: 'matchers/ and pipeline/ never import the gateway or the wiring (app/); app/ assembles them.',
      from: { path: '^(matchers|pipeline)/', pathNot: ['\\.test\\.ts$', '(^|/)testing\\.ts$'] },
      to: { path: '^(app|gateway)/' },
    },
    {
      name: 'gateway-below-the-wiring',
      severity: 'error',
      comment: 'The gateway never imports the wiring (app/); app/ assembles it.',
      from: { path: '^gateway/', pathNot: ['\\.test\\.ts$', '(^|/)testing\\.ts$'] },
      to: { path: '^app/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a broken build.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
