// HATEOAS entry points (docs/compat/sps.md §1.7, §7): /api, /api/endpoints, /api/user_info (and its aliases), and the
// /api/audit and /api/configuration nodes that clients walk from there.
import type { FastifyInstance } from 'fastify';
import {
  AAA,
  ACCESS_GROUPS,
  ACTIVE_SESSIONS,
  AUDIT,
  CLUSTERS,
  CURFEWS,
  DEVICES,
  isAllowed,
  type Permission,
  type Principal,
} from '../../core/access.js';
import type { AppDeps } from '../app.js';
import { configMeta, item, listing } from './envelope.js';
import type { RouteMethods } from './plugin.js';

const TAGS = ['SPS discovery'];

const API_NODES = [
  'active-sessions',
  'audit',
  'authentication',
  'configuration',
  'curfews',
  'endpoints',
  'events',
  'kill-tasks',
  'transaction',
  'user_info',
];
export const CONFIGURATION_NODES = ['aaa', 'access_groups', 'clusters', 'devices', 'passwords'];

/** The objects the console needs to know the caller's privileges on (user_info `privileges`). */
const CONSOLE_OBJECTS = [ACTIVE_SESSIONS, AUDIT, CURFEWS, AAA, DEVICES, CLUSTERS, ACCESS_GROUPS];

/** The caller's strongest permission on each console object (curfew extension; absent = none). */
function privilegesOf(principal: Principal | null): Record<string, Permission> {
  const held = CONSOLE_OBJECTS.flatMap((object): [string, Permission][] => {
    if (!principal) return [];
    if (isAllowed(principal, object, 'write')) return [[object, 'write']];
    return isAllowed(principal, object, 'read') ? [[object, 'read']] : [];
  });
  return Object.fromEntries(held);
}

function endpointsOf(routes: RouteMethods) {
  return [...routes.entries()]
    .filter(([url]) => url.startsWith('/api'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([url, methods]) => ({ methods: [...methods].sort(), url: url.replace(/:(\w+)/g, '<$1>') }));
}

export async function registerSpsDiscoveryRoutes(
  app: FastifyInstance,
  _deps: AppDeps,
  routes: RouteMethods,
): Promise<void> {
  app.get('/api', { schema: { tags: TAGS, summary: 'The API root' } }, async () =>
    listing(
      '/api',
      API_NODES.map((key) => item(key, `/api/${key}`)),
      { href: '/api', parent: null },
    ),
  );

  app.get('/api/endpoints', { schema: { tags: TAGS, summary: 'Every endpoint and its methods' } }, async () => ({
    endpoints: endpointsOf(routes),
    meta: { href: '/api/endpoints', parent: '/api' },
  }));

  for (const href of ['/api/user_info', '/api/user/info', '/api/userinfo']) {
    app.get(href, { schema: { tags: TAGS, summary: 'Who is logged in, and the endpoints' } }, async (request) => ({
      user: { name: request.principal?.name ?? '' },
      privileges: privilegesOf(request.principal),
      endpoints: endpointsOf(routes),
      meta: { href, parent: '/api' },
    }));
  }

  app.get('/api/audit', { schema: { tags: TAGS, summary: 'Audit node' } }, async () =>
    listing('/api/audit', [item('log', '/api/audit/log'), item('sessions', '/api/audit/sessions')], {
      href: '/api/audit',
      parent: '/api',
    }),
  );

  app.get('/api/configuration', { schema: { tags: TAGS, summary: 'Configuration node' } }, async () =>
    listing(
      '/api/configuration',
      CONFIGURATION_NODES.map((key) => item(key, `/api/configuration/${key}`)),
      configMeta('/api/configuration'),
    ),
  );
}
