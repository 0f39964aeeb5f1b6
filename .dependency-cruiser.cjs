/**
 * The boundaries of issue 10, checked by `npm run lint:deps`.
 *
 * Words used below:
 * - a *feature* is any folder server/src/<name>/ other than platform/ (auth, school, sessions,
 *   grading, ws, live, …): new features are covered without editing this file;
 * - a feature's *public modules* are the files at the top of its folder named `index.ts`,
 *   `*.service.ts`, `*.types.ts`, `*.events.ts` or `*.rules.ts`. A feature marks a module public
 *   by naming it so; anything in a subfolder (sessions/store/…) is internal until the feature
 *   re-exports it from its index.ts;
 * - *test code* is `*.test.ts`, server/test/**, web/src/test/**, e2e/**, bench/**, and helpers
 *   named `test-*.ts` or `*-test*.ts` (sessions/test-factories.ts, media/test-images.ts).
 *
 * Type-only imports count (tsPreCompilationDeps): `import type` from another feature's
 * repository still couples the two folders, even though it vanishes from the emitted JS.
 *
 * Test code is not followed (doNotFollow): a test of sessions/ that imports server/test/ which
 * imports sessions/ is no design cycle, and folder-scoped rules cannot exempt single files.
 * An import *of* test code from production is still seen, because the edge belongs to the
 * production module. The price: cycles among tests themselves are not checked.
 */

const FEATURE = '^server/src/(?!platform/)[^/]+/';
const PUBLIC_MODULE = '^server/src/[^/]+/(index|[^/]+[.](service|types|events|rules))[.]ts$';
const TEST_CODE = [
  '[.]test[.]tsx?$',
  '^server/test/',
  '^web/src/test/',
  '^e2e/',
  '^bench/',
  '(^|/)test-[^/]*[.]tsx?$',
  '(^|/)[^/]*-test[^/]*[.]tsx?$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle means neither module can be understood, tested or moved without the other, ' +
        'and ES module cycles see half-initialised bindings at start-up. Break it by moving ' +
        'the shared piece down (to a types module, platform/ or contracts/) or by passing a ' +
        'dependency in instead of importing it.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment:
        'The same at folder level: sessions/ -> ws/ -> sessions/ is a cycle between two ' +
        'features even when no single module sits on it, and it means neither folder can be ' +
        'read, tested or replaced alone. Each folder counts with its subfolders ' +
        '(sessions/store is part of sessions/).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-imports-no-feature',
      comment:
        'platform/ is the generic infrastructure every feature stands on (PostgreSQL, Redis, ' +
        'bus, durable log, metrics, errors, validation). If it imported a feature, or context.ts ' +
        '/ app.ts / main.ts that wire all features together, it would stop being reusable and ' +
        'every feature would depend on every other through it. config.ts is allowed: it is the ' +
        'typed environment, a leaf (see config-is-a-leaf), and adapters need their settings. ' +
        'Tests kept in platform/ are exempt: an HTTP-contract test has to build the whole app.',
      severity: 'error',
      from: { path: '^server/src/platform/', pathNot: TEST_CODE },
      to: { path: [FEATURE, '^server/src/(context|app|main)[.]ts$'] },
    },
    {
      name: 'config-is-a-leaf',
      comment:
        'platform/ may read config.ts only because config.ts depends on no feature and on ' +
        'nothing that wires features; keep it that way or the rule above is a sieve.',
      severity: 'error',
      from: { path: '^server/src/config[.]ts$' },
      to: { path: [FEATURE, '^server/src/(context|app|main)[.]ts$'] },
    },
    {
      name: 'feature-through-public-module',
      comment:
        "A feature uses another only through that feature's public modules (index.ts, " +
        '*.service.ts, *.types.ts, *.events.ts, *.rules.ts at the top of its folder), never its ' +
        '*.repo.ts, routes or other internals: the owner can then change its tables, Redis ' +
        'layout and helpers without breaking its neighbours. Tests may reach inside to set up ' +
        'fixtures.',
      severity: 'error',
      from: { path: '^server/src/([^/]+)/', pathNot: ['^server/src/platform/', ...TEST_CODE] },
      to: { path: FEATURE, pathNot: ['^server/src/$1/', PUBLIC_MODULE] },
    },
    {
      name: 'contracts-stand-alone',
      comment:
        'contracts/ holds the schemas and the WebSocket protocol that server and web share; ' +
        'importing either side would drag server code into the browser bundle (or React into ' +
        'the server) and make the contract depend on one implementation of it.',
      severity: 'error',
      from: { path: '^contracts/' },
      to: { path: '^(server|web)/' },
    },
    {
      name: 'production-imports-no-test-code',
      comment:
        'Test helpers (fake lanes, factories, fixture images) are not reviewed, hardened or ' +
        'shipped as production code; importing one puts test behaviour one mistaken config ' +
        'away from a real exam.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', ...TEST_CODE] },
    tsPreCompilationDeps: true,
    // server/ and contracts/ import './x.js' for './x.ts' (NodeNext); dependency-cruiser maps
    // the suffix itself. web/ uses bundler resolution (no suffix), which resolves here too.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
