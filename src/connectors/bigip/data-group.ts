// The curfew deny list as an internal string data group (docs/compat/bigip-device.md, "Internal data groups"): the
// access policy's iRule refuses a user named in it. `records` is one attribute, so every write sends the whole list and
// then reads it back, since another writer may have replaced it in between.
import { ConnectorError, type DenyRecord } from '../connector.js';
import type { TokenAuth } from './auth.js';
import { type JsonResponse, unexpectedShape } from './client.js';

const COLLECTION_PATH = '/mgmt/tm/ltm/data-group/internal';
/** Partition and object names as tmsh accepts them; `/` and `~` would change the URL's meaning. */
const OBJECT_NAME = '[A-Za-z0-9_][A-Za-z0-9_.-]*';
const FULL_PATH = new RegExp(`^/(${OBJECT_NAME})/(${OBJECT_NAME})$`);

interface GroupName {
  partition: string;
  name: string;
  /** The object's URL path, `…/internal/~<partition>~<name>`. */
  url: string;
}

/** A caller's mistake, not a device failure: thrown as a RangeError (a rejected promise), never as a ConnectorError. */
export function parseGroupPath(path: string): GroupName {
  const match = FULL_PATH.exec(path);
  const [, partition, name] = match ?? [];
  if (partition === undefined || name === undefined) {
    throw new RangeError(`data group path must be /<partition>/<name>, got ${JSON.stringify(path)}`);
  }
  return { partition, name, url: `${COLLECTION_PATH}/~${partition}~${name}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** BIG-IP leaves `records` out when the list is empty, and `data` out of a record without data. */
export function parseDataGroup(what: string, response: JsonResponse): DenyRecord[] {
  const { body } = response;
  if (!isRecord(body)) throw unexpectedShape(what, response, 'not a JSON object');
  if (body.type !== undefined && body.type !== 'string') {
    throw unexpectedShape(what, response, `a data group of type ${JSON.stringify(body.type)}, not string`);
  }
  if (body.records === undefined) return [];
  if (!Array.isArray(body.records)) throw unexpectedShape(what, response, '"records" is not a list');
  return body.records.map((record: unknown) => {
    const name = isRecord(record) ? record.name : undefined;
    const data = isRecord(record) ? (record.data ?? '') : undefined;
    if (typeof name !== 'string' || typeof data !== 'string') {
      throw unexpectedShape(what, response, 'a record without a string name and data');
    }
    return { name, data };
  });
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof ConnectorError && error.status === status;
}

export async function readDenyList(auth: TokenAuth, path: string): Promise<DenyRecord[] | null> {
  const { url } = parseGroupPath(path);
  try {
    return parseDataGroup(`GET ${url}`, await auth.send('GET', url));
  } catch (error) {
    if (isStatus(error, 404)) return null;
    throw error;
  }
}

/** Replaces the whole list; creates the group when it is missing (and replaces again if another writer created it first). */
export async function writeDenyList(
  auth: TokenAuth,
  path: string,
  records: readonly DenyRecord[],
): Promise<DenyRecord[]> {
  const group = parseGroupPath(path);
  const list = records.map(({ name, data }) => ({ name, data }));
  const replace = () => auth.send('PATCH', group.url, { records: list });
  try {
    await replace();
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
    await create(auth, group, list).catch((createError: unknown) => {
      if (!isStatus(createError, 409)) throw createError;
      return replace();
    });
  }
  const written = await readDenyList(auth, path);
  if (written === null) {
    throw new ConnectorError('device_error', `GET ${group.url}: the data group is gone right after the write`, {
      status: 404,
    });
  }
  return written;
}

function create(auth: TokenAuth, group: GroupName, records: DenyRecord[]): Promise<JsonResponse> {
  const { name, partition } = group;
  return auth.send('POST', COLLECTION_PATH, { name, partition, type: 'string', records });
}
