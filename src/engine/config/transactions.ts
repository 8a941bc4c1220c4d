// Configuration transactions (docs/decisions/0005): one per login session, kept in the store so any node can carry
// it on. Writes validate against the committed state plus the transaction's own changes; a commit applies them all
// in one database transaction unless a commit since the transaction began touched the same paths.
import { randomUUID } from 'node:crypto';
import { AAA_ACLS } from '../../core/access.js';
import { DomainError } from '../../core/errors.js';
import type { Device } from '../../core/model.js';
import { passwordLengthProblem } from '../../core/passwords.js';
import type {
  AuditStore,
  ConfigChange,
  ConfigSnapshot,
  ConfigStore,
  ConfigTransactionRecord,
  UserRecord,
} from '../../store/store.js';
import { errorFields, type Logger, silentLogger } from '../log.js';
import { applyFleetEffects, type FleetRuntime, planCommit } from './apply.js';

/** The configuration tables and transactions, and the audit trail commits are recorded in. */
export type ConfigServiceStore = ConfigStore & Pick<AuditStore, 'appendAudit'>;

import {
  type CollectionName,
  type ConfigState,
  cloneState,
  collectionOf,
  keyForNew,
  NOUNS,
  objectPath,
  passwordReferences,
  stateFromSnapshot,
  targetOf,
  type UserConfig,
} from './config-model.js';
import { invalid, parseAcls, parseObject } from './config-parse.js';
import { applyChange, foldChange, newIntegrityErrors, overlay } from './config-state.js';

export const PASSWORD_REUSED =
  'You tried to reuse a password object. You can use a password object for only one purpose, that is, you cannot reference a password object twice.';

/** The login session a transaction belongs to, and who is acting. */
export interface LoginRef {
  loginId: string;
  userName: string;
  address: string;
}

export type WriteRequest =
  | { type: 'create'; collection: CollectionName; body: unknown }
  | { type: 'replace'; collection: CollectionName; key: string; body: unknown }
  | { type: 'delete'; collection: CollectionName; key: string }
  | { type: 'replace'; collection: 'acls'; body: unknown };

/** What a read sees: committed state with the reader's pending changes, and the committed rows for status fields. */
export interface ConfigView {
  state: ConfigState;
  devices: Map<string, Device>;
  users: Map<string, UserRecord>;
  transaction: ConfigTransactionRecord | undefined;
}

export interface CommitOutcome {
  revision: number;
  paths: string[];
  /** Users whose login sessions must end (password changed, user deleted). */
  endLoginsOf: string[];
}

const ATTEMPTS = 5;

export class ConfigService {
  readonly #store: ConfigServiceStore;
  readonly #runtime: FleetRuntime;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #effects = new Set<Promise<void>>();

  constructor(store: ConfigServiceStore, runtime: FleetRuntime, options: { now?: () => number; logger?: Logger } = {}) {
    this.#log = options.logger ?? silentLogger;
    this.#runtime = runtime;
    this.#store = store;
    this.#now = options.now ?? Date.now;
  }

  async view(loginId?: string): Promise<ConfigView> {
    const snapshot = await this.#store.loadConfiguration();
    const transaction = loginId ? await this.#store.findConfigTransaction(loginId) : undefined;
    const committed = stateFromSnapshot(snapshot);
    return {
      state: transaction ? overlay(committed, transaction.changes) : committed,
      devices: new Map(snapshot.devices.map((d) => [d.id, d])),
      users: new Map(snapshot.users.map((u) => [u.key, u])),
      transaction,
    };
  }

  transaction(loginId: string): Promise<ConfigTransactionRecord | undefined> {
    return this.#store.findConfigTransaction(loginId);
  }

  /** Opens the login session's transaction (POST /api/transaction); an open one is kept as it is. */
  async open(login: LoginRef): Promise<ConfigTransactionRecord> {
    const existing = await this.#store.findConfigTransaction(login.loginId);
    if (existing) return existing;
    const { revision } = await this.#store.loadConfiguration();
    const now = this.#now();
    const record: ConfigTransactionRecord = {
      loginId: login.loginId,
      userName: login.userName,
      address: login.address,
      baseRevision: revision,
      changes: [],
      version: 1,
      openedAt: now,
      updatedAt: now,
    };
    await this.#store.insertConfigTransaction(record);
    return (await this.#store.findConfigTransaction(login.loginId)) ?? record;
  }

  /** Validates one write and adds it to the login's transaction, opening it first when needed. */
  async write(login: LoginRef, request: WriteRequest): Promise<{ key: string; path: string }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const transaction = await this.open(login);
      const snapshot = await this.#store.loadConfiguration();
      const committed = stateFromSnapshot(snapshot);
      const current = overlay(committed, transaction.changes);
      const { change, key } = changeFor(current, request);
      const next = cloneState(current);
      applyChange(next, change);
      const errors = newIntegrityErrors(committed, next);
      if (errors.length > 0) throw invalid(errors.join(' '), { errors });
      await this.#checkPassword(login, current, next, change);
      const changes = foldChange(transaction.changes, change);
      if (await this.#store.saveConfigTransaction(login.loginId, changes, transaction.version, this.#now())) {
        return { key, path: change.path };
      }
    }
    throw busy();
  }

  /** Commits the login's transaction; undefined when none is open. */
  async commit(login: LoginRef, message: string | null): Promise<CommitOutcome | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const transaction = await this.#store.findConfigTransaction(login.loginId);
      if (!transaction) return undefined;
      const snapshot = await this.#store.loadConfiguration();
      await this.#checkConflicts(transaction);
      const outcome = await this.#commitOnce(login, transaction, snapshot, message);
      if (outcome) return outcome;
    }
    throw busy();
  }

  async #commitOnce(
    login: LoginRef,
    transaction: ConfigTransactionRecord,
    snapshot: ConfigSnapshot,
    message: string | null,
  ): Promise<CommitOutcome | undefined> {
    const committed = stateFromSnapshot(snapshot);
    const final = overlay(committed, transaction.changes);
    const errors = newIntegrityErrors(committed, final);
    if (errors.length > 0) {
      throw new DomainError(
        'conflict',
        'TRANSACTION_CONFLICT',
        `The committed configuration changed since this transaction began, and its changes no longer fit: ${errors.join(' ')} Roll back (DELETE /api/transaction) and start again.`,
        { errors },
      );
    }
    const now = this.#now();
    const reveal = (key: string) => this.#store.revealPasswordObject(key);
    const plan = await planCommit({ snapshot, committed, final, reveal, now });
    const paths = [...new Set(transaction.changes.map((c) => c.path))];
    const revision = await this.#store.commitConfiguration({
      expectedRevision: snapshot.revision,
      loginId: login.loginId,
      expectedVersion: transaction.version,
      at: now,
      actor: login.userName,
      address: login.address,
      message,
      paths,
      ops: plan.ops,
    });
    if (revision === 'stale') return undefined;
    await this.#audit(login, 'config.commit', `revision ${revision}`, { paths, message });
    if (plan.fleet.added.length + plan.fleet.changed.length + plan.fleet.removed.length > 0) {
      // The commit stands either way: a device that cannot be synced now shows as unreachable, and the next sync retries.
      const effect = applyFleetEffects(this.#runtime, plan.fleet).catch((err: unknown) =>
        this.#log.warn(errorFields(err), 'applying committed fleet changes to the engine failed'),
      );
      this.#effects.add(effect);
      void effect.finally(() => this.#effects.delete(effect));
    }
    return { revision, paths, endLoginsOf: [...new Set(plan.endLoginsOf)] };
  }

  async #checkConflicts(transaction: ConfigTransactionRecord): Promise<void> {
    const mine = new Set(transaction.changes.map((c) => c.path));
    const commits = await this.#store.listConfigCommits(transaction.baseRevision);
    const clashes = commits.flatMap((c) => c.paths.filter((p) => mine.has(p)).map((p) => ({ path: p, commit: c })));
    if (clashes.length === 0) return;
    const paths = [...new Set(clashes.map((c) => c.path))];
    const by = [...new Set(clashes.map((c) => `${c.commit.actor} (revision ${c.commit.revision})`))];
    throw new DomainError(
      'conflict',
      'TRANSACTION_CONFLICT',
      `Another commit changed ${paths.join(', ')} since this transaction began (committed by ${by.join(', ')}). The transaction is still open: roll it back (DELETE /api/transaction), then make the changes again.`,
      { paths },
    );
  }

  /** Drops the login's transaction (DELETE /api/transaction); false when none was open. */
  async rollback(login: LoginRef): Promise<boolean> {
    const [dropped] = await this.#store.deleteConfigTransactions([login.loginId]);
    if (!dropped) return false;
    await this.#audit(login, 'config.rollback', 'transaction', { paths: dropped.changes.map((c) => c.path) });
    return true;
  }

  /** Login sessions ended: their transactions go with them (LoginSessions `onEnded`). */
  async dropTransactions(loginIds: readonly string[]): Promise<void> {
    for (const dropped of await this.#store.deleteConfigTransactions(loginIds)) {
      if (dropped.changes.length === 0) continue;
      const login = { loginId: dropped.loginId, userName: dropped.userName, address: dropped.address };
      await this.#audit(login, 'config.transaction_dropped', 'transaction', {
        paths: dropped.changes.map((c) => c.path),
        reason: 'login session ended',
      });
    }
  }

  /** Stores a one-use password object (no transaction: it only takes effect when a committed object uses it). */
  async createPassword(plain: string, login: LoginRef): Promise<string> {
    const key = randomUUID();
    await this.#store.insertPasswordObject(key, plain, this.#now());
    await this.#audit(login, 'config.password.create', key, {});
    return key;
  }

  async passwordInfo(key: string): Promise<{ used: boolean } | undefined> {
    const record = await this.#store.findPasswordObject(key);
    return record && { used: record.usedBy !== null };
  }

  /** Resolves when the engine work of earlier commits (syncs of added or changed devices) is done. */
  async settled(): Promise<void> {
    while (this.#effects.size > 0) await Promise.all([...this.#effects]);
  }

  async #checkPassword(login: LoginRef, current: ConfigState, next: ConfigState, change: ConfigChange): Promise<void> {
    const target = targetOf(change.path);
    if (change.type === 'delete' || !target || (target.collection !== 'users' && target.collection !== 'devices'))
      return;
    const password = (change.new_value as { password: string | null }).password;
    const before = (collectionOf(current, target.collection).get(target.key) as UserConfig | undefined)?.password;
    if (!password || password === before) return;
    const record = await this.#store.findPasswordObject(password);
    if (!record) {
      throw invalid(`There is no password object "${password}": create one with POST /api/configuration/passwords.`);
    }
    const referencedTwice = (passwordReferences(next).get(password)?.length ?? 0) > 1;
    if (record.usedBy !== null || referencedTwice || (await this.#pendingElsewhere(login, password))) {
      throw invalid(PASSWORD_REUSED, { password });
    }
    // Device passwords are whatever the device has; a local user's is a login to this node and has a minimum length.
    const secret = target.collection === 'users' ? await this.#store.revealPasswordObject(password) : undefined;
    const tooShort = secret === undefined ? undefined : passwordLengthProblem(secret);
    if (tooShort) throw invalid(tooShort, { password });
  }

  /** Is the password referenced by a pending change of another login's transaction? */
  async #pendingElsewhere(login: LoginRef, password: string): Promise<boolean> {
    const others = (await this.#store.listLiveConfigTransactions(this.#now())).filter(
      (t) => t.loginId !== login.loginId,
    );
    return others.some((t) =>
      t.changes.some((c) => (c.new_value as { password?: unknown } | null)?.password === password),
    );
  }

  async #audit(login: LoginRef, action: string, subject: string, details: Record<string, unknown>): Promise<void> {
    await this.#store.appendAudit({
      at: this.#now(),
      actor: login.userName,
      address: login.address,
      action,
      subject,
      details,
    });
  }
}

function busy(): DomainError {
  return new DomainError(
    'conflict',
    'TRANSACTION_BUSY',
    'The configuration is changing too fast to apply this request; try again.',
  );
}

/** The change a write request makes to `current`, and the key of the object it touches. */
function changeFor(current: ConfigState, request: WriteRequest): { change: ConfigChange; key: string } {
  if (request.collection === 'acls') {
    const acls = parseAcls(request.body);
    return { change: { type: 'replace', path: AAA_ACLS, old_value: current.acls, new_value: acls }, key: 'acls' };
  }
  const objects = collectionOf(current, request.collection);
  const noun = NOUNS[request.collection];
  if (request.type === 'create') {
    const object = parseObject(request.collection, request.body, undefined);
    const key = keyForNew(request.collection, object);
    if (objects.has(key)) throw invalid(`There is already a ${noun} named "${key}".`);
    const path = objectPath(request.collection, key);
    return { change: { type: 'create', path, old_value: null, new_value: object }, key };
  }
  const existing = objects.get(request.key);
  if (!existing) {
    throw new DomainError('not_found', 'NOT_FOUND', `There is no ${noun} with key "${request.key}".`);
  }
  const path = objectPath(request.collection, request.key);
  if (request.type === 'delete') {
    if (request.collection === 'users' && (existing as UserConfig).name === 'admin') {
      throw invalid('The admin user cannot be deleted: it always exists and has every privilege.');
    }
    return { change: { type: 'delete', path, old_value: existing, new_value: null }, key: request.key };
  }
  const object = parseObject(request.collection, request.body, existing);
  return { change: { type: 'replace', path, old_value: existing, new_value: object }, key: request.key };
}
