// The BIG-IQ device inventory views clients use to find kill-sessions inputs (docs/compat/bigiq.md §8–9): the
// machineid-resolver, device groups (well-known, access groups, clusters) and their members, and the Access
// mgmt-authority-status view. Rendered from the store on every request; every collection takes OData options.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEVICES } from '../../core/access.js';
import type { AppDeps } from '../app.js';
import { BigiqError, bigiqErrorSchema } from './errors.js';
import { collection, DEVICE_GROUPS_PATH, localLink, MACHINE_ID_RESOLVER_PATH, nowMicros } from './links.js';
import { applyQuery, ODataError, type ODataQuery, parseQuery } from './odata.js';
import { requirePrivilege } from './plugin.js';
import {
  AUTHORITY_STATUS_COLLECTION_KIND,
  DEVICE_GROUP_COLLECTION_KIND,
  type DeviceGroup,
  deviceGroups,
  renderAuthorityStatus,
  renderDeviceGroup,
  renderGroupMembers,
} from './resolver.groups.js';
import {
  type JsonObject,
  RESOLVER_DEVICE_COLLECTION_KIND,
  type ResolverView,
  renderResolverDevices,
  resolverView,
} from './resolver.render.js';

const AUTHORITY_STATUS_PATH = '/mgmt/cm/access/utility/view/mgmt-authority-status';
/** Inventory views are guarded like the device configuration they expose. */
const INVENTORY_OBJECT = DEVICES;
const TAGS = ['BIG-IQ resolver'];

const odataOption = (description: string) => ({ type: 'string', description }) as const;

const collectionQuery = {
  type: 'object',
  properties: {
    $filter: odataOption("OData filter, e.g. address eq '10.1.1.1' or 'properties/cm:access:access_group' eq 'true'"),
    $select: odataOption('Comma-separated top-level keys to keep on each item'),
    $top: odataOption('Page size'),
    $skip: odataOption('Items to skip'),
    $orderby: odataOption('<property> [asc|desc], comma-separated'),
    $expand: odataOption('Accepted and ignored: references are already inline'),
  },
} as const;

const itemQuery = {
  type: 'object',
  properties: { $select: odataOption('Comma-separated top-level keys to keep') },
} as const;

// additionalProperties keeps the serializer from dropping fields the schema does not list (BIG-IQ items are wide).
const anyObject = { type: 'object', additionalProperties: true } as const;
const collectionResponse = {
  type: 'object',
  properties: {
    items: { type: 'array', items: anyObject },
    totalItems: { type: 'integer' },
    generation: { type: 'integer' },
    kind: { type: 'string' },
    lastUpdateMicros: { type: 'integer' },
    selfLink: { type: 'string' },
  },
  required: ['items', 'totalItems', 'generation', 'kind', 'lastUpdateMicros', 'selfLink'],
  additionalProperties: true,
} as const;
const errorResponses = { 400: bigiqErrorSchema, 401: bigiqErrorSchema, 404: bigiqErrorSchema } as const;

const stringParams = (...names: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
  required: names,
});

function collectionSchema(summary: string, params?: object) {
  return {
    tags: TAGS,
    summary,
    querystring: collectionQuery,
    ...(params && { params }),
    response: { 200: collectionResponse, ...errorResponses },
  };
}

function itemSchema(summary: string, params: object) {
  return { tags: TAGS, summary, querystring: itemQuery, params, response: { 200: anyObject, ...errorResponses } };
}

type Query = Record<string, string | undefined>;

/** The request's OData options; a malformed one is BIG-IQ's 400. */
function odataOf(request: FastifyRequest): ODataQuery {
  try {
    return parseQuery(request.query as Query);
  } catch (err) {
    if (err instanceof ODataError) throw new BigiqError(400, err.message);
    throw err;
  }
}

function queryCollection<T extends JsonObject>(request: FastifyRequest, kind: string, path: string, items: T[]) {
  const result = applyQuery(items, odataOf(request));
  return collection(kind, localLink(path), result.items, result.totalItems);
}

/** A single item honours `$select` only, like BIG-IQ's `…/<id>?$select=status,…`. */
function selectItem<T extends JsonObject>(request: FastifyRequest, item: T): Partial<T> {
  const { select } = odataOf(request);
  return select === undefined ? item : (applyQuery([item], { select }).items[0] ?? {});
}

function notFound(path: string): BigiqError {
  return new BigiqError(404, `item not found at ${path.replace(/^\/mgmt/, '')}`);
}

/** The host the client used (Fastify strips the port), without IPv6 brackets: the server's own resolver address. */
function serverHost(request: FastifyRequest): string {
  return request.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
}

async function loadView(deps: AppDeps, request: FastifyRequest): Promise<ResolverView> {
  const server = { machineId: deps.machineId, build: deps.version, hostname: serverHost(request) };
  return resolverView(await deps.fleet.snapshot(), server, nowMicros());
}

function findGroup(view: ResolverView, groupName: string): DeviceGroup {
  const group = deviceGroups(view).find((g) => g.groupName === groupName);
  if (!group) throw notFound(`${DEVICE_GROUPS_PATH}/${groupName}`);
  return group;
}

async function requireInventoryRead(request: FastifyRequest): Promise<void> {
  requirePrivilege(request, INVENTORY_OBJECT, 'read');
}

export async function registerResolverRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  registerMachineIdResolver(app, deps);
  registerDeviceGroups(app, deps);
  app.get(
    AUTHORITY_STATUS_PATH,
    {
      schema: collectionSchema('Access groups and their devices (items[].groupName)'),
      preHandler: requireInventoryRead,
    },
    async (request) => {
      const view = await loadView(deps, request);
      const items = renderAuthorityStatus(deviceGroups(view), view);
      return queryCollection(request, AUTHORITY_STATUS_COLLECTION_KIND, AUTHORITY_STATUS_PATH, items);
    },
  );
}

function registerMachineIdResolver(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    MACHINE_ID_RESOLVER_PATH,
    {
      schema: collectionSchema("Managed devices by machine id (ANS: $filter=address eq '<ip>' → items[0].machineId)"),
      preHandler: requireInventoryRead,
    },
    async (request) => {
      const items = renderResolverDevices(await loadView(deps, request));
      return queryCollection(request, RESOLVER_DEVICE_COLLECTION_KIND, MACHINE_ID_RESOLVER_PATH, items);
    },
  );
  app.get<{ Params: { machineId: string } }>(
    `${MACHINE_ID_RESOLVER_PATH}/:machineId`,
    {
      schema: itemSchema(
        'One device; its selfLink is the deviceReference kill-sessions takes',
        stringParams('machineId'),
      ),
      preHandler: requireInventoryRead,
    },
    async (request) => {
      const { machineId } = request.params;
      const item = renderResolverDevices(await loadView(deps, request)).find((d) => d.machineId === machineId);
      if (!item) throw notFound(`${MACHINE_ID_RESOLVER_PATH}/${machineId}`);
      return selectItem(request, item);
    },
  );
}

function registerDeviceGroups(app: FastifyInstance, deps: AppDeps): void {
  const groupParams = stringParams('groupName');
  app.get(
    DEVICE_GROUPS_PATH,
    {
      schema: collectionSchema('Device groups: well-known, one per access group, one per cluster'),
      preHandler: requireInventoryRead,
    },
    async (request) => {
      const view = await loadView(deps, request);
      const items = deviceGroups(view).map((group) => renderDeviceGroup(group, view));
      return queryCollection(request, DEVICE_GROUP_COLLECTION_KIND, DEVICE_GROUPS_PATH, items);
    },
  );
  app.get<{ Params: { groupName: string } }>(
    `${DEVICE_GROUPS_PATH}/:groupName`,
    { schema: itemSchema('One device group', groupParams), preHandler: requireInventoryRead },
    async (request) => {
      const view = await loadView(deps, request);
      return selectItem(request, renderDeviceGroup(findGroup(view, request.params.groupName), view));
    },
  );
  app.get<{ Params: { groupName: string } }>(
    `${DEVICE_GROUPS_PATH}/:groupName/devices`,
    {
      schema: collectionSchema('Members of a device group (ANS version probe: cm-shared-all-big-iqs)', groupParams),
      preHandler: requireInventoryRead,
    },
    async (request) => {
      const view = await loadView(deps, request);
      const group = findGroup(view, request.params.groupName);
      const path = `${DEVICE_GROUPS_PATH}/${encodeURIComponent(group.groupName)}/devices`;
      return queryCollection(request, RESOLVER_DEVICE_COLLECTION_KIND, path, renderGroupMembers(group, view));
    },
  );
  app.get<{ Params: { groupName: string; machineId: string } }>(
    `${DEVICE_GROUPS_PATH}/:groupName/devices/:machineId`,
    {
      schema: itemSchema('One member of a device group', stringParams('groupName', 'machineId')),
      preHandler: requireInventoryRead,
    },
    async (request) => {
      const { groupName, machineId } = request.params;
      const view = await loadView(deps, request);
      const item = renderGroupMembers(findGroup(view, groupName), view).find((d) => d.machineId === machineId);
      if (!item) throw notFound(`${DEVICE_GROUPS_PATH}/${groupName}/devices/${machineId}`);
      return selectItem(request, item);
    },
  );
}
