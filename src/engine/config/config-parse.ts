// Request bodies → configuration objects, with SemanticError messages that say what to send. References arrive as
// bare keys or as the `{key, meta}` objects GET shows; read-only fields GET shows may be sent back and are ignored.
import { type AclEntry, PERMISSIONS, type Permission } from '../../core/access.js';
import { DomainError } from '../../core/errors.js';
import { DEVICE_KINDS, type DeviceKind } from '../../core/model.js';
import type {
  CollectionName,
  ConfigObject,
  DeviceConfig,
  GroupConfig,
  NamedConfig,
  UserConfig,
} from './config-model.js';

type Body = Record<string, unknown>;

export function invalid(message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('invalid', 'SEMANTIC_ERROR', message, details);
}

function asBody(raw: unknown, what: string): Body {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(`The body of a ${what} must be a JSON object.`);
  }
  return raw as Body;
}

function checkFields(body: Body, what: string, writable: readonly string[], readOnly: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !writable.includes(k) && !readOnly.includes(k));
  if (unknown.length > 0) {
    throw invalid(`Unknown field(s) in the ${what}: ${unknown.join(', ')}. Fields: ${writable.join(', ')}.`);
  }
}

function text(body: Body, field: string, what: string, fallback?: string): string {
  const value = body[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw invalid(`The ${what} needs "${field}" as a string.`);
  return value;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

function name(body: Body, field: string, what: string): string {
  const value = text(body, field, what);
  if (!NAME.test(value)) {
    throw invalid(
      `The ${what}'s ${field} "${value}" is not valid: use 1 to 128 letters, digits, ".", "_", "@" or "-", starting with a letter or digit.`,
    );
  }
  return value;
}

/** A reference as a client may send it: a bare key, or `{key, meta}`; null or absent as null. */
export function referenceOf(value: unknown, field: string, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value !== '') return value;
  const key = typeof value === 'object' ? (value as { key?: unknown }).key : undefined;
  if (typeof key === 'string' && key !== '') return key;
  throw invalid(`The ${what}'s "${field}" must be a key (or {"key": …}), or null.`);
}

function parseUser(body: Body, existing: UserConfig | undefined): UserConfig {
  checkFields(body, 'user', ['name', 'password'], ['password_created']);
  const user = { name: name(body, 'name', 'user'), password: referenceOf(body.password, 'password', 'user') };
  if (existing && existing.name !== user.name) {
    throw invalid(`A user's name cannot be changed (from "${existing.name}" to "${user.name}"); create a new user.`);
  }
  if (!user.password && !existing) {
    throw invalid('A new user needs a password: POST {"plain": …} to /api/configuration/passwords and send its key.');
  }
  return { ...user, password: user.password ?? existing?.password ?? null };
}

function parseGroup(body: Body): GroupConfig {
  checkFields(body, 'group', ['name', 'members'], []);
  const members = body.members ?? [];
  if (!Array.isArray(members)) throw invalid('The group\'s "members" must be a list of user keys.');
  const keys = members.map((m) => referenceOf(m, 'members', 'group'));
  if (keys.some((k) => k === null)) throw invalid('The group\'s "members" must be user keys, not null.');
  return { name: name(body, 'name', 'group'), members: [...new Set(keys as string[])] };
}

function port(body: Body): number {
  const value = body.port ?? 443;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) {
    throw invalid(`The device's port must be a whole number from 1 to 65535, not ${JSON.stringify(value)}.`);
  }
  return value;
}

function kind(body: Body): DeviceKind {
  const value = body.kind ?? 'bigip';
  if (!DEVICE_KINDS.includes(value as DeviceKind)) {
    throw invalid(`Unknown device kind ${JSON.stringify(value)}; use one of: ${DEVICE_KINDS.join(', ')}.`);
  }
  return value as DeviceKind;
}

const DEVICE_FIELDS = [
  'hostname',
  'address',
  'port',
  'kind',
  'username',
  'password',
  'verify_tls',
  'cluster',
  'access_group',
] as const;
const DEVICE_STATUS_FIELDS = ['state', 'failover', 'last_sync', 'last_error'];

function parseDevice(body: Body, existing: DeviceConfig | undefined): DeviceConfig {
  checkFields(body, 'device', DEVICE_FIELDS, DEVICE_STATUS_FIELDS);
  const verify = body.verify_tls ?? true;
  if (typeof verify !== 'boolean') throw invalid('The device\'s "verify_tls" must be true or false.');
  const address = text(body, 'address', 'device').trim();
  if (address === '' || /\s/.test(address))
    throw invalid(`The device's address "${address}" is not a host name or IP address.`);
  const username = body.username === undefined && existing ? existing.username : text(body, 'username', 'device');
  const password = referenceOf(body.password, 'password', 'device') ?? existing?.password ?? null;
  if (!password && !existing) {
    throw invalid('A new device needs a password: POST {"plain": …} to /api/configuration/passwords and send its key.');
  }
  return {
    hostname: name(body, 'hostname', 'device'),
    address,
    port: port(body),
    kind: kind(body),
    username,
    password,
    verify_tls: verify,
    cluster: referenceOf(body.cluster, 'cluster', 'device'),
    access_group: referenceOf(body.access_group, 'access_group', 'device'),
  };
}

function parseNamed(body: Body, what: string, existing: NamedConfig | undefined): NamedConfig {
  checkFields(body, what, ['name', 'description'], ['members']);
  const named = { name: name(body, 'name', what), description: text(body, 'description', what, '') };
  if (existing && existing.name !== named.name) {
    throw invalid(
      `The name of ${what === 'cluster' ? 'a cluster' : 'an access group'} is its key and cannot be changed; delete "${existing.name}" and create "${named.name}".`,
    );
  }
  return named;
}

/** Parses a POST (no `existing`) or PUT body of one collection. */
export function parseObject(
  collection: CollectionName,
  raw: unknown,
  existing: ConfigObject | undefined,
): ConfigObject {
  switch (collection) {
    case 'users':
      return parseUser(asBody(raw, 'user'), existing as UserConfig | undefined);
    case 'groups':
      return parseGroup(asBody(raw, 'group'));
    case 'devices':
      return parseDevice(asBody(raw, 'device'), existing as DeviceConfig | undefined);
    case 'clusters':
      return parseNamed(asBody(raw, 'cluster'), 'cluster', existing as NamedConfig | undefined);
    case 'access_groups':
      return parseNamed(asBody(raw, 'access group'), 'access group', existing as NamedConfig | undefined);
  }
}

/** The ACL list: `[{group, objects, permission}]` (or GET's `{body: [...]}`). */
export function parseAcls(raw: unknown): AclEntry[] {
  const list = Array.isArray(raw) ? raw : (raw as { body?: unknown } | null)?.body;
  if (!Array.isArray(list)) throw invalid('The ACLs must be a list of {"group", "objects", "permission"} entries.');
  return list.map((entry, index) => {
    const what = `ACL entry #${index + 1}`;
    const body = asBody(entry, what);
    checkFields(body, what, ['group', 'objects', 'permission'], []);
    const objects = body.objects;
    if (!Array.isArray(objects) || objects.some((o) => typeof o !== 'string' || !o.startsWith('/'))) {
      throw invalid(`The ${what}'s "objects" must be a list of object paths such as "/special/active_sessions".`);
    }
    const permission = body.permission;
    if (!PERMISSIONS.includes(permission as Permission)) {
      throw invalid(`The ${what}'s permission must be "read" or "write", not ${JSON.stringify(permission)}.`);
    }
    return {
      group: text(body, 'group', what),
      objects: [...objects] as string[],
      permission: permission as Permission,
    };
  });
}
