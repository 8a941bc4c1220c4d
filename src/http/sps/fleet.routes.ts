// Fleet configuration, in the SPS style and in the same transactions as AAA: devices (keyed by machine id), clusters
// and access groups (keyed by name). A commit reaches the engine at once: new and changed devices are synced,
// removed ones dropped; the BIG-IQ resolver views read the same tables.
import type { FastifyInstance } from 'fastify';
import { ACCESS_GROUPS, CLUSTERS, CONFIGURATION, DEVICES } from '../../core/access.js';
import { DEVICE_KINDS } from '../../core/model.js';
import type { AppDeps } from '../app.js';
import { registerCollection } from './config-collection.js';
import { CONFIGURATION_NODES } from './discovery.routes.js';

const TAG = 'SPS fleet';
const SIBLINGS = CONFIGURATION_NODES.map((key) => `${CONFIGURATION}/${key}`);
const reference = (description: string) => ({
  description: `${description}: a key, the {key, meta} object GET shows, or null`,
});

const namedBody = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Also the key; rename = delete + create' },
    description: { type: 'string' },
  },
  required: ['name'],
} as const;

export async function registerFleetRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  registerCollection(app, deps, {
    collection: 'devices',
    object: DEVICES,
    tag: TAG,
    noun: 'device',
    siblings: SIBLINGS,
    bodySchema: {
      type: 'object',
      properties: {
        hostname: { type: 'string' },
        address: { type: 'string', description: 'Management address (host name or IP)' },
        port: { type: 'integer', minimum: 1, maximum: 65_535, default: 443 },
        kind: { type: 'string', enum: [...DEVICE_KINDS], default: 'bigip' },
        username: { type: 'string' },
        password: reference('Password object (required for a new device; omit to keep the current one)'),
        verify_tls: { type: 'boolean', default: true },
        cluster: reference('Cluster'),
        access_group: reference('Access group'),
      },
      required: ['hostname', 'address', 'username'],
    },
  });
  registerCollection(app, deps, {
    collection: 'clusters',
    object: CLUSTERS,
    tag: TAG,
    noun: 'cluster',
    siblings: SIBLINGS,
    bodySchema: namedBody,
  });
  registerCollection(app, deps, {
    collection: 'access_groups',
    object: ACCESS_GROUPS,
    tag: TAG,
    noun: 'access group',
    siblings: SIBLINGS,
    bodySchema: namedBody,
  });
}
