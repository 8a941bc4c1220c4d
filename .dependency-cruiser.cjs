// Import boundaries between curfew's layers (issue 12; docs/decisions/0008-import-boundaries.md).
// Run by `npm run lint` as `depcruise src lab web --config .dependency-cruiser.cjs`.
// Every import counts, `import type` and `export … from` included: paths are resolved files, not specifiers.

// dependency-cruiser 17 cannot use TypeScript 7 (no compiler API), so it parses with @swc/core (`parser: 'swc'`).
// Its swc parser never turns on TSX (dependency-cruiser issue #1081, fixed in 18.x, which needs Node 22): this turns it
// on for .tsx files. Loading @swc/core here also fails the run loudly if it is missing or not 1.x — without it
// dependency-cruiser would skip every .ts file and pass with nothing checked. Remove the patch with dependency-cruiser 18.
const swc = require('@swc/core');
if (!/^1\./.test(swc.version)) throw new Error(`.dependency-cruiser.cjs: @swc/core 1.x expected, found ${swc.version}`);
const parseFileSync = swc.parseFileSync;
swc.parseFileSync = (file, options) =>
  parseFileSync(file, String(file).endsWith('.tsx') ? { ...options, tsx: true } : options);

/** Any file of the repository (npm packages resolve under node_modules/, Node built-ins to their bare name). */
const PROJECT = '^(src|lab|web|test|bench|scripts|bin)/';

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const rules = [
  // All of src: the server. Rules per layer below say which src folders each layer may import.
  {
    name: 'src-only-cli-imports-lab',
    comment: 'The emulators (lab/) are started by the CLI only: no other part of the server imports them.',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/cli/' },
    to: { path: '^lab/' },
  },
  {
    name: 'src-not-to-web-or-tools',
    comment: 'src never imports web/ (a browser app, served from its build), test, bench, scripts or bin.',
    severity: 'error',
    from: { path: '^src/' },
    to: { path: '^(web|test|bench|scripts|bin)/' },
  },

  // core: the domain. Imports only itself, node:crypto (hashing, random ids) and p-limit (pure).
  {
    name: 'core-imports-only-core',
    comment: 'src/core is the domain: it imports nothing from the other layers.',
    severity: 'error',
    from: { path: '^src/core/' },
    to: { path: '^src/', pathNot: '^src/core/' },
  },
  {
    name: 'core-no-io',
    comment: 'src/core does no I/O: of the Node built-ins only node:crypto (hashing, random ids) is allowed.',
    severity: 'error',
    from: { path: '^src/core/' },
    to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
  },
  {
    name: 'core-only-pure-packages',
    comment: 'src/core uses no npm package but p-limit (pure). Add another here only if it does no I/O.',
    severity: 'error',
    from: { path: '^src/core/' },
    to: { path: '(^|/)node_modules/', pathNot: '(^|/)node_modules/p-limit/' },
  },

  // store: the Store port and its Kysely implementation, on top of core.
  {
    name: 'store-imports-only-core',
    comment: 'src/store may import src/core only: never http, engine, connectors or cli.',
    severity: 'error',
    from: { path: '^src/store/' },
    to: { path: '^src/', pathNot: '^src/(core|store)/' },
  },

  // connectors: the Connector port and shared helpers (src/connectors/*.ts), one folder per vendor.
  {
    name: 'connectors-import-only-core',
    comment: 'src/connectors may import src/core only: never store, engine, http or cli.',
    severity: 'error',
    from: { path: '^src/connectors/' },
    to: { path: '^src/', pathNot: '^src/(core|connectors)/' },
  },
  {
    name: 'connectors-vendors-independent',
    comment: "A vendor's driver (src/connectors/<vendor>/) never imports another vendor's folder.",
    severity: 'error',
    from: { path: '^src/connectors/([^/]+)/' },
    to: { path: '^src/connectors/[^/]+/', pathNot: '^src/connectors/$1/' },
  },
  {
    name: 'connectors-shared-not-to-vendors',
    comment: 'The port and the shared helpers (src/connectors/*.ts) know no vendor.',
    severity: 'error',
    from: { path: '^src/connectors/[^/]+$' },
    to: { path: '^src/connectors/[^/]+/' },
  },

  // engine: core, plus the store and connector ports.
  {
    name: 'engine-only-store-port',
    comment:
      'src/engine sees the store through its port (src/store/store.ts, config-port.ts): never kysely/ or open-store.',
    severity: 'error',
    from: { path: '^src/engine/' },
    to: { path: '^src/store/', pathNot: '^src/store/(store|config-port)\\.ts$' },
  },
  {
    name: 'engine-only-connector-port',
    comment: 'src/engine sees devices through src/connectors/connector.ts: never a driver or a driver helper.',
    severity: 'error',
    from: { path: '^src/engine/' },
    to: { path: '^src/connectors/', pathNot: '^src/connectors/connector\\.ts$' },
  },
  {
    name: 'engine-not-to-http-or-cli',
    comment: 'src/engine never imports http or cli.',
    severity: 'error',
    from: { path: '^src/engine/' },
    to: { path: '^src/', pathNot: '^src/(core|engine|store|connectors)/' },
  },

  // http: the two edges (bigiq, sps) and their shared files (src/http/*.ts).
  {
    name: 'http-not-to-store',
    comment: 'src/http goes through the engine, never to the store: no Store, no store record types.',
    severity: 'error',
    from: { path: '^src/http/' },
    to: { path: '^src/store/' },
  },
  {
    name: 'http-edges-independent',
    comment: 'The BIG-IQ and SPS edges never import each other; what both need lives in core, engine or src/http/*.ts.',
    severity: 'error',
    from: { path: '^src/http/(bigiq|sps)/' },
    to: { path: '^src/http/(bigiq|sps)/', pathNot: '^src/http/$1/' },
  },
  {
    name: 'http-not-to-connectors-or-cli',
    comment: 'src/http may import core, engine and itself: never connectors or cli.',
    severity: 'error',
    from: { path: '^src/http/' },
    to: { path: '^src/', pathNot: '^src/(core|engine|http|store)/' }, // store: http-not-to-store
  },

  // cli: the composition root. It imports anything in src and lab (src-not-to-web-or-tools still applies).

  // lab: emulators, independent of the server they are tested against.
  {
    name: 'lab-imports-only-core-and-tls',
    comment: 'lab/ may import src/core (types, pure helpers) and src/http/tls.ts (self-signed certificates) only.',
    severity: 'error',
    from: { path: '^lab/' },
    to: { path: PROJECT, pathNot: ['^lab/', '^src/core/', '^src/http/tls\\.ts$'] },
  },

  // web: the browser app.
  {
    name: 'web-imports-only-web',
    comment: 'web/ is a browser app: it imports nothing from src, lab or the other folders, not even types.',
    severity: 'error',
    from: { path: '^web/' },
    to: { path: PROJECT, pathNot: '^web/' },
  },
  {
    name: 'web-no-node-builtins',
    comment: 'web/src runs in the browser: no Node built-ins (web/vite.config.ts runs in Node and may).',
    severity: 'error',
    from: { path: '^web/src/' },
    to: { dependencyTypes: ['core'] },
  },

  // Everything must resolve, or a rule above could miss it.
  {
    name: 'not-to-unresolvable',
    comment: 'An import that does not resolve to a file or package would escape every rule above.',
    severity: 'error',
    from: { path: '^(src|lab|web)/' },
    to: { couldNotResolve: true },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: rules,
  options: {
    parser: 'swc',
    doNotFollow: { path: '(^|/)node_modules/' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
