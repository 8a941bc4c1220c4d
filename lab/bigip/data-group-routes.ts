// `/mgmt/tm/ltm/data-group/internal`: the internal data groups curfews keep denied users in. `records` is a plain
// attribute, so a PATCH or PUT of it replaces the whole list (docs/compat/bigip-device.md, "Internal data groups").
import { type DataGroupRecord, fullPath, OBJECT_NAME } from './data-groups.js';
import { jsonObject, type Methods, ok, type Reply, type ReplyError, type RouteContext, tmFail } from './route-kit.js';
import { dataGroupBody, dataGroupCollectionBody } from './shapes.js';

export const DATA_GROUP_COLLECTION = '/mgmt/tm/ltm/data-group/internal';

const WRITABLE_KEYS = ['name', 'partition', 'type', 'records'];
/** Keys of a GET answer, accepted back (and ignored) so a client may PUT what it read. */
const READ_ONLY_KEYS = ['kind', 'fullPath', 'generation', 'selfLink'];

function notFound(path: string): ReplyError {
  return tmFail(404, `01020036:3: The requested value list (${path}) was not found.`);
}

/** The full path named by the URL segment: `~<partition>~<name>`, or a bare `<name>` in Common. */
function groupPath(context: RouteContext): string {
  const parts = context.param.startsWith('~') ? context.param.slice(1).split('~') : ['Common', context.param];
  const [partition = '', name = ''] = parts;
  const path = fullPath(partition, name);
  if (parts.length !== 2 || !OBJECT_NAME.test(partition) || !OBJECT_NAME.test(name)) throw notFound(path);
  return path;
}

function checkKeys(fields: Record<string, unknown>, where: string): void {
  for (const [key, value] of Object.entries(fields)) {
    if (WRITABLE_KEYS.includes(key) || READ_ONLY_KEYS.includes(key)) continue;
    const pair = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    throw tmFail(
      400,
      `Found unexpected json pair at configuration item ${where}. The json pair ${pair} is not allowed.`,
    );
  }
}

function records(value: unknown): DataGroupRecord[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw tmFail(400, 'records must be an array of {"name","data"} objects');
  const seen = new Set<string>();
  return value.map((item: unknown) => {
    const { name, data, ...rest } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || Object.keys(rest).length > 0) {
      throw tmFail(400, `invalid record ${JSON.stringify(item)}: want {"name":"<non-empty>","data":"<string>"}`);
    }
    if (data !== undefined && typeof data !== 'string') throw tmFail(400, `record ${name}: data must be a string`);
    if (seen.has(name)) throw tmFail(400, `01020066:3: The requested record (${name}) already exists in the list.`);
    seen.add(name);
    return data === undefined || data === '' ? { name } : { name, data };
  });
}

function checkType(type: unknown): void {
  if (type !== 'string') throw tmFail(400, `type must be "string" (the lab keeps string data groups only)`);
}

function createGroup(context: RouteContext): Reply {
  const fields = jsonObject(context);
  checkKeys(fields, '/ltm/data-group/internal');
  const { name, partition = 'Common', type } = fields;
  if (typeof name !== 'string' || !OBJECT_NAME.test(name)) throw tmFail(400, 'name must be a valid object name');
  if (typeof partition !== 'string' || !OBJECT_NAME.test(partition)) {
    throw tmFail(400, 'partition must be a valid partition name');
  }
  checkType(type);
  const created = context.device.dataGroups.create({
    name,
    partition,
    type: 'string',
    records: records(fields.records),
  });
  if (!created) {
    const path = fullPath(partition, name);
    throw tmFail(409, `01020066:3: The requested value list (${path}) already exists in partition ${partition}.`);
  }
  return ok(dataGroupBody(created));
}

function readGroup(context: RouteContext): Reply {
  const path = groupPath(context);
  const group = context.device.dataGroups.get(path);
  if (!group) throw notFound(path);
  return ok(dataGroupBody(group));
}

/** PATCH keeps the records when the body has none; PUT sets every writable attribute, so no `records` clears them. */
function modifyGroup(context: RouteContext, put: boolean): Reply {
  const path = groupPath(context);
  const { dataGroups } = context.device;
  const group = dataGroups.get(path);
  if (!group) throw notFound(path);
  if (context.request.query.has('options')) {
    throw tmFail(400, 'the lab does not emulate options= record edits; send the whole records list');
  }
  const fields = jsonObject(context);
  checkKeys(fields, `/ltm/data-group/internal/~${group.partition}~${group.name}`);
  if (fields.name !== undefined && fields.name !== group.name) throw tmFail(400, 'name cannot be changed');
  if (fields.partition !== undefined && fields.partition !== group.partition) {
    throw tmFail(400, 'partition cannot be changed');
  }
  if (fields.type !== undefined) checkType(fields.type);
  const next = fields.records === undefined && !put ? group.records : records(fields.records);
  return ok(dataGroupBody(dataGroups.replaceRecords(path, next) ?? group));
}

function deleteGroup(context: RouteContext): Reply {
  const path = groupPath(context);
  if (!context.device.dataGroups.delete(path)) throw notFound(path);
  return ok('');
}

export const DATA_GROUP_COLLECTION_METHODS: Methods = {
  GET: { kind: 'dataGroup', handle: (c) => ok(dataGroupCollectionBody(c.device.dataGroups.all())) },
  POST: { kind: 'dataGroup', handle: createGroup },
};

export const DATA_GROUP_OBJECT_METHODS: Methods = {
  GET: { kind: 'dataGroup', handle: readGroup },
  PATCH: { kind: 'dataGroup', handle: (c) => modifyGroup(c, false) },
  PUT: { kind: 'dataGroup', handle: (c) => modifyGroup(c, true) },
  DELETE: { kind: 'dataGroup', handle: deleteGroup },
};
