// AAA configuration (docs/compat/sps.md §5): the aaa node, ACLs (readable as in SPS; writable in a transaction as
// curfew's extension), the local database of users and groups, and the authentication settings.
import type { FastifyInstance } from 'fastify';
import {
  AAA,
  AAA_ACLS,
  AAA_GROUPS,
  AAA_LOCAL_DATABASE,
  AAA_SETTINGS,
  AAA_USERS,
  CONFIGURATION,
} from '../../core/access.js';
import { MIN_PASSWORD_LENGTH } from '../../core/passwords.js';
import type { AppDeps } from '../app.js';
import { registerCollection } from './config-collection.js';
import {
  errorResponses,
  guard,
  keySchema,
  listingSchema,
  loginOf,
  noSchemaValidation,
  objectSchema,
} from './config-routes.js';
import { CONFIGURATION_NODES } from './discovery.routes.js';
import { configMeta, item, listing, TRANSACTION_HREF } from './envelope.js';

const TAGS = ['SPS AAA'];
const AAA_CHILDREN = [AAA_ACLS, AAA_LOCAL_DATABASE, AAA_SETTINGS];
const LOCAL_DATABASE_CHILDREN = [AAA_GROUPS, AAA_USERS];
const reference = { description: 'A key, or the {key, meta} object GET shows' };

const aclEntrySchema = {
  type: 'object',
  properties: {
    group: { type: 'string', description: 'Local group name' },
    objects: { type: 'array', items: { type: 'string' }, description: 'Object paths, e.g. /special/active_sessions' },
    permission: { type: 'string', enum: ['read', 'write'] },
  },
  required: ['group', 'objects', 'permission'],
} as const;

export async function registerAaaRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  registerNodes(app, deps);
  registerAcls(app, deps);
  registerLocalDatabase(app, deps);
}

/** The aaa node, the local_database node and the settings. */
function registerNodes(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    AAA,
    {
      onRequest: guard(AAA, 'read'),
      schema: { tags: TAGS, summary: 'AAA node', response: { 200: listingSchema, ...errorResponses } },
    },
    async () =>
      listing(
        AAA,
        AAA_CHILDREN.map((href) => item(href.slice(AAA.length + 1), href)),
        configMeta(
          AAA,
          CONFIGURATION_NODES.map((key) => `${CONFIGURATION}/${key}`),
        ),
      ),
  );

  app.get(
    AAA_LOCAL_DATABASE,
    {
      onRequest: guard(AAA_LOCAL_DATABASE, 'read'),
      schema: { tags: TAGS, summary: 'Local users and groups', response: { 200: listingSchema, ...errorResponses } },
    },
    async () =>
      listing(
        AAA_LOCAL_DATABASE,
        LOCAL_DATABASE_CHILDREN.map((href) => item(href.slice(AAA_LOCAL_DATABASE.length + 1), href)),
        configMeta(AAA_LOCAL_DATABASE, AAA_CHILDREN),
      ),
  );

  app.get(
    AAA_SETTINGS,
    {
      onRequest: guard(AAA_SETTINGS, 'read'),
      schema: {
        tags: TAGS,
        summary:
          'Authentication settings (read-only): session lifetimes, lockout and throttle, password length, login methods',
        response: { 200: objectSchema, ...errorResponses },
      },
    },
    async () => {
      const auth = deps.auth.settings();
      return {
        body: {
          login_methods: ['local'],
          idle_timeout_seconds: deps.loginSessions.idleTimeoutSec,
          session_max_age_seconds: deps.loginSessions.maxAgeSec,
          lockout: {
            max_failed_logins: auth.maxFailedLogins,
            lockout_seconds: auth.lockoutSec,
            max_failed_logins_per_address: auth.maxFailedLoginsPerAddress,
            address_throttle_seconds: auth.addressThrottleSec,
          },
          min_password_length: MIN_PASSWORD_LENGTH,
          access_token_seconds: auth.accessTokenTtlSec,
          refresh_token_seconds: auth.refreshTokenTtlSec,
        },
        key: 'settings',
        meta: configMeta(AAA_SETTINGS, AAA_CHILDREN),
      };
    },
  );
}

function registerLocalDatabase(app: FastifyInstance, deps: AppDeps): void {
  registerCollection(app, deps, {
    collection: 'groups',
    object: AAA_GROUPS,
    tag: TAGS[0] as string,
    noun: 'local group',
    siblings: LOCAL_DATABASE_CHILDREN,
    bodySchema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        members: { type: 'array', items: reference, description: 'User keys (not names)' },
      },
      required: ['name'],
    },
  });

  registerCollection(app, deps, {
    collection: 'users',
    object: AAA_USERS,
    tag: TAGS[0] as string,
    noun: 'local user',
    siblings: LOCAL_DATABASE_CHILDREN,
    bodySchema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        password: { ...reference, description: 'Key of a password object (POST /api/configuration/passwords)' },
      },
      required: ['name'],
    },
  });
}

function registerAcls(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    AAA_ACLS,
    {
      onRequest: guard(AAA_ACLS, 'read'),
      schema: {
        tags: TAGS,
        summary: 'The ACLs: which group holds which permission on which objects',
        response: { 200: objectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const view = await deps.config.view(request.spsLogin?.record.id);
      return { body: view.state.acls, key: 'acls', meta: configMeta(AAA_ACLS, AAA_CHILDREN) };
    },
  );

  app.put(
    AAA_ACLS,
    {
      onRequest: guard(AAA_ACLS, 'write'),
      validatorCompiler: noSchemaValidation,
      schema: {
        tags: TAGS,
        summary:
          'Replace the ACL list (curfew extension; in your transaction). Applies from the next request after the commit.',
        body: { type: 'array', items: aclEntrySchema },
        response: { 200: keySchema, ...errorResponses },
      },
    },
    async (request) => {
      await deps.config.write(loginOf(request), { type: 'replace', collection: 'acls', body: request.body });
      return { key: 'acls', meta: { href: AAA_ACLS, parent: AAA, transaction: TRANSACTION_HREF } };
    },
  );
}
