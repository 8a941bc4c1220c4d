// Configuration objects and commits: local groups, ACLs, one-use password objects, and the commit that applies a
// transaction's changes to the domain tables in one database transaction (docs/decisions/0005).
import type { Kysely, Transaction } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { SecretBox } from '../secret-box.js';
import type {
  AclRecord,
  ConfigCommitRequest,
  ConfigOp,
  ConfigSnapshot,
  ConfigStore,
  FleetWrite,
  GroupRecord,
  UserRecord,
} from '../store.js';
import { configTransactionStore } from './config-transactions.js';
import { isUniqueViolation } from './dialect.js';
import type { InventoryGeneration } from './inventory-generation.js';
import { KeptRead } from './kept-read.js';
import { auditToRow, deviceFromRow, deviceToRow, newUserKey } from './rows.js';
import type { AaaAclTable, AaaGroupTable, Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const STALE = Symbol('stale');

/** Ops that change what a session search shows (a session carries its device's hostname, cluster and access group). */
const DEVICE_OPS: ReadonlySet<ConfigOp['op']> = new Set(['insertDevice', 'updateDevice', 'deleteDevice']);
const touchesInventory = (ops: readonly ConfigOp[]) => ops.some((op) => DEVICE_OPS.has(op.op));

const groupFromRow = (row: AaaGroupTable): GroupRecord => ({
  key: row.key,
  name: row.name,
  members: JSON.parse(row.members) as string[],
});

const aclFromRow = (row: AaaAclTable): AclRecord => ({
  group: row.group_name,
  objects: JSON.parse(row.objects) as string[],
  permission: row.permission === 'write' ? 'write' : 'read',
});

/**
 * How long a node answers from the configuration revision it last read: every authenticated request reads it (cached
 * privileges are checked against it), so a privilege revoked through another node is honoured there for up to this
 * long more (docs/security.md); one revoked through this node is not.
 */
export const CONFIG_REVISION_MAX_AGE_MS = 200;

export function configStore(db: Kysely<Database>, box: SecretBox, generation: InventoryGeneration): ConfigStore {
  const revision = new KeptRead(async () => {
    const row = await db.selectFrom('config_revision').select('revision').where('id', '=', 1).executeTakeFirst();
    return Number(row?.revision ?? 0);
  }, CONFIG_REVISION_MAX_AGE_MS);
  /** Every commit and fleet write moves the revision; one that changes devices also the inventory generation. */
  const inventoryChanging = async <T>(ops: readonly ConfigOp[], write: (trx: Transaction<Database>) => Promise<T>) => {
    try {
      return await inventoryChangingIn(ops, write);
    } finally {
      revision.committed();
    }
  };
  /** A commit or fleet write that changes devices moves the inventory generation as its transaction's last write. */
  const inventoryChangingIn = async <T>(
    ops: readonly ConfigOp[],
    write: (trx: Transaction<Database>) => Promise<T>,
  ) => {
    if (!touchesInventory(ops)) return db.transaction().execute(write);
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await write(trx);
        await generation.bump(trx);
        return result;
      });
    } finally {
      generation.committed();
    }
  };

  return {
    ...configTransactionStore(db),
    loadConfiguration: () => db.transaction().execute((trx) => loadSnapshot(trx)),

    configRevision: () => revision.read(),

    async listConfigCommits(afterRevision) {
      const rows = await db
        .selectFrom('config_commits')
        .selectAll()
        .where('revision', '>', afterRevision)
        .orderBy('revision')
        .execute();
      return rows.map((r) => ({
        revision: Number(r.revision),
        at: Number(r.at),
        actor: r.actor,
        address: r.address,
        message: r.message,
        paths: JSON.parse(r.paths) as string[],
      }));
    },

    async commitConfiguration(request) {
      try {
        return await inventoryChanging(request.ops, (trx) => commitIn(trx, box, request));
      } catch (err) {
        if (err === STALE) return 'stale';
        if (isUniqueViolation(err)) {
          throw new DomainError(
            'conflict',
            'CONFIG_CONFLICT',
            'The configuration changed while this transaction was being committed (a name or hostname is now taken); roll back and try again.',
          );
        }
        throw err;
      }
    },

    async writeFleet(write) {
      try {
        return await inventoryChanging(write.ops, (trx) => writeFleetIn(trx, box, write));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        throw new DomainError('conflict', 'DEVICE_EXISTS', 'a device with that id or hostname exists');
      }
    },

    async insertPasswordObject(key, plain, createdAt) {
      await db
        .insertInto('password_objects')
        .values({ key, sealed: box.seal(plain), created_at: createdAt, used_by: null })
        .execute();
    },

    async findPasswordObject(key) {
      const row = await db.selectFrom('password_objects').selectAll().where('key', '=', key).executeTakeFirst();
      return row ? { key: row.key, createdAt: Number(row.created_at), usedBy: row.used_by } : undefined;
    },

    async revealPasswordObject(key) {
      const row = await db.selectFrom('password_objects').select('sealed').where('key', '=', key).executeTakeFirst();
      return row?.sealed ? box.open(row.sealed) : undefined;
    },

    listAaaGroups: async () =>
      (await db.selectFrom('aaa_groups').selectAll().orderBy('name').execute()).map(groupFromRow),
    listAcls: async () => (await db.selectFrom('aaa_acls').selectAll().orderBy('position').execute()).map(aclFromRow),
  };
}

async function loadSnapshot(trx: Db): Promise<ConfigSnapshot> {
  const revision = await trx.selectFrom('config_revision').select('revision').where('id', '=', 1).executeTakeFirst();
  const userRows = await trx.selectFrom('users').selectAll().orderBy('name').execute();
  const users: (UserRecord & { key: string })[] = [];
  for (const row of userRows) {
    let key = row.key;
    if (key === null) {
      key = newUserKey();
      await trx.updateTable('users').set({ key }).where('name', '=', row.name).execute();
    }
    users.push({
      key,
      name: row.name,
      passwordHash: row.password_hash,
      createdAt: Number(row.created_at),
      passwordChangedAt: row.password_changed_at === null ? null : Number(row.password_changed_at),
    });
  }
  const credentials = await trx
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.ref', 'devices.credential_ref')
    .select(['devices.id as id', 'credentials.username as username'])
    .execute();
  const used = await trx
    .selectFrom('password_objects')
    .select(['key', 'used_by'])
    .where('used_by', 'is not', null)
    .execute();
  return {
    revision: Number(revision?.revision ?? 0),
    users,
    groups: (await trx.selectFrom('aaa_groups').selectAll().orderBy('name').execute()).map(groupFromRow),
    acls: (await trx.selectFrom('aaa_acls').selectAll().orderBy('position').execute()).map(aclFromRow),
    devices: (await trx.selectFrom('devices').selectAll().orderBy('hostname').execute()).map(deviceFromRow),
    deviceUsernames: new Map(credentials.map((c) => [c.id, c.username])),
    clusters: await trx.selectFrom('clusters').selectAll().orderBy('name').execute(),
    accessGroups: await trx.selectFrom('access_groups').selectAll().orderBy('name').execute(),
    passwordByPath: new Map(used.map((p) => [p.used_by ?? '', p.key])),
  };
}

async function commitIn(trx: Transaction<Database>, box: SecretBox, request: ConfigCommitRequest): Promise<number> {
  const revision = request.expectedRevision + 1;
  const bumped = await trx
    .updateTable('config_revision')
    .set({ revision })
    .where('id', '=', 1)
    .where('revision', '=', request.expectedRevision)
    .executeTakeFirst();
  if (bumped.numUpdatedRows === 0n) throw STALE;
  const closed = await trx
    .deleteFrom('config_transactions')
    .where('login_id', '=', request.loginId)
    .where('version', '=', request.expectedVersion)
    .executeTakeFirst();
  if (closed.numDeletedRows === 0n) throw STALE;
  for (const op of request.ops) {
    if (!(await applyAaaOp(trx, op))) await applyFleetOp(trx, box, op);
  }
  await trx
    .insertInto('config_commits')
    .values({
      revision,
      at: request.at,
      actor: request.actor,
      address: request.address,
      message: request.message,
      paths: JSON.stringify(request.paths),
    })
    .execute();
  return revision;
}

async function writeFleetIn(trx: Transaction<Database>, box: SecretBox, write: FleetWrite): Promise<number> {
  const bumped = await trx
    .updateTable('config_revision')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', 1)
    .returning('revision')
    .executeTakeFirstOrThrow();
  const revision = Number(bumped.revision);
  for (const op of write.ops) await applyFleetOp(trx, box, op);
  const { at, actor, address, message } = write;
  await trx
    .insertInto('config_commits')
    .values({ revision, at, actor, address, message, paths: JSON.stringify(write.paths) })
    .execute();
  if (write.audit.length > 0) await trx.insertInto('audit_events').values(write.audit.map(auditToRow)).execute();
  return revision;
}

/** Users, groups, ACLs and password objects; false when `op` is not one of them. */
async function applyAaaOp(trx: Transaction<Database>, op: ConfigOp): Promise<boolean> {
  if (await applyUserOp(trx, op)) return true;
  switch (op.op) {
    case 'putGroup': {
      const row = { key: op.group.key, name: op.group.name, members: JSON.stringify(op.group.members) };
      await trx
        .insertInto('aaa_groups')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet({ name: row.name, members: row.members }))
        .execute();
      return true;
    }
    case 'deleteGroup':
      await trx.deleteFrom('aaa_groups').where('key', '=', op.key).execute();
      return true;
    case 'replaceAcls':
      await trx.deleteFrom('aaa_acls').execute();
      if (op.acls.length > 0) {
        const rows = op.acls.map((a, position) => ({
          position,
          group_name: a.group,
          objects: JSON.stringify(a.objects),
          permission: a.permission,
        }));
        await trx.insertInto('aaa_acls').values(rows).execute();
      }
      return true;
    case 'consumePassword': {
      const consumed = await trx
        .updateTable('password_objects')
        .set({ used_by: op.usedBy, sealed: null })
        .where('key', '=', op.key)
        .where('used_by', 'is', null)
        .executeTakeFirst();
      if (consumed.numUpdatedRows === 0n) throw STALE;
      return true;
    }
    case 'deletePassword':
      await trx.deleteFrom('password_objects').where('key', '=', op.key).execute();
      return true;
    default:
      return false;
  }
}

async function applyUserOp(trx: Transaction<Database>, op: ConfigOp): Promise<boolean> {
  switch (op.op) {
    case 'insertUser': {
      const u = op.user;
      await trx
        .insertInto('users')
        .values({
          key: u.key,
          name: u.name,
          password_hash: u.passwordHash,
          created_at: u.createdAt,
          password_changed_at: u.passwordChangedAt ?? null,
        })
        .execute();
      return true;
    }
    case 'setUserPassword':
      await trx
        .updateTable('users')
        .set({ password_hash: op.passwordHash, password_changed_at: op.at })
        .where('key', '=', op.key)
        .execute();
      return true;
    case 'deleteUser':
      await trx.deleteFrom('users').where('key', '=', op.key).execute();
      return true;
    default:
      return false;
  }
}

/** Devices, their credentials, clusters and access groups. */
async function applyFleetOp(trx: Transaction<Database>, box: SecretBox, op: ConfigOp): Promise<void> {
  switch (op.op) {
    case 'putCluster':
    case 'putAccessGroup': {
      const table = op.op === 'putCluster' ? 'clusters' : 'access_groups';
      const row = op.op === 'putCluster' ? op.cluster : op.group;
      await trx
        .insertInto(table)
        .values({ name: row.name, description: row.description })
        .onConflict((oc) => oc.column('name').doUpdateSet({ description: row.description }))
        .execute();
      return;
    }
    case 'deleteCluster':
      await trx.deleteFrom('clusters').where('name', '=', op.name).execute();
      return;
    case 'deleteAccessGroup':
      await trx.deleteFrom('access_groups').where('name', '=', op.name).execute();
      return;
    case 'putCredential':
      await putCredential(trx, box, op);
      return;
    case 'deleteCredential':
      await trx.deleteFrom('credentials').where('ref', '=', op.ref).execute();
      return;
    case 'insertDevice':
      await trx.insertInto('devices').values(deviceToRow(op.device)).execute();
      return;
    case 'updateDevice': {
      const { id, state, failover, last_sync_at, last_error, ...configured } = deviceToRow(op.device);
      await trx.updateTable('devices').set(configured).where('id', '=', id).execute();
      return;
    }
    case 'deleteDevice':
      await trx.deleteFrom('sessions').where('device_id', '=', op.id).execute();
      await trx.deleteFrom('devices').where('id', '=', op.id).execute();
      return;
    default:
      throw new Error(`unknown configuration op ${op.op}`);
  }
}

async function putCredential(
  trx: Transaction<Database>,
  box: SecretBox,
  op: Extract<ConfigOp, { op: 'putCredential' }>,
): Promise<void> {
  if (op.password === undefined) {
    await trx.updateTable('credentials').set({ username: op.username }).where('ref', '=', op.ref).execute();
    return;
  }
  const row = { ref: op.ref, username: op.username, sealed_password: box.seal(op.password) };
  await trx
    .insertInto('credentials')
    .values(row)
    .onConflict((oc) => oc.column('ref').doUpdateSet({ username: row.username, sealed_password: row.sealed_password }))
    .execute();
}
