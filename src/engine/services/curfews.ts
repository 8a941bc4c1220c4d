// Curfews for the edges: set, read, list, extend and lift (each change audited; lifting ends a curfew, its history
// stays), the caught sessions of one curfew, and every device's prevention state. Enforcement is the enforcer's
// (src/engine/curfew-enforcer.ts); this service tells it when the rules changed so it acts at once, not at its next tick.
import {
  type Actor,
  type Curfew,
  type CurfewInput,
  type CurfewState,
  curfewUnknownScopes,
  isActive,
  newCurfew,
  parseCurfewInput,
  parseExtension,
} from '../../core/curfew.js';
import { DomainError } from '../../core/errors.js';
import type { AuditStore, CurfewStore, CurfewViolation, DeviceStore, PreventionState } from '../../store/store.js';

/** What the edges render (the store's shapes; the edges do not import the store). */
export type { CurfewViolation, PreventionState } from '../../store/store.js';

export type CurfewServiceStore = Omit<CurfewStore, 'claimViolations' | 'setViolationTask' | 'putPreventionState'> &
  Pick<CurfewStore, 'listViolations'> &
  Pick<AuditStore, 'appendAudit'> &
  Pick<DeviceStore, 'listDevices' | 'listClusters' | 'listAccessGroups'>;

/** What the service asks of enforcement: act on changed rules now (prevention and a listing of the devices in scope). */
export interface CurfewRulesListener {
  rulesChanged(): void;
}

export interface CurfewPage {
  curfews: Curfew[];
  total: number;
}

export const CURFEW_NOT_FOUND = 'CURFEW_NOT_FOUND';

export class CurfewService {
  readonly #store: CurfewServiceStore;
  readonly #listener: CurfewRulesListener;

  constructor(store: CurfewServiceStore, listener: CurfewRulesListener) {
    this.#store = store;
    this.#listener = listener;
  }

  /** Validates a set-curfew body (refusing scopes the inventory does not know) and writes it, audited. */
  async set(body: unknown, actor: Actor, now = Date.now()): Promise<Curfew> {
    return this.setInput(parseCurfewInput(body, now), actor, now);
  }

  /** As `set`, for an input already read (a kill request's "and keep out"). */
  async setInput(input: CurfewInput, actor: Actor, now = Date.now()): Promise<Curfew> {
    await this.checkScopes(input);
    const curfew = await this.#store.createCurfew(newCurfew(input, actor, now));
    await this.#audit(actor, 'curfew.set', curfew, {
      who: curfew.who,
      where: curfew.where,
      until: curfew.until,
      mode: curfew.mode,
      reason: curfew.reason,
    });
    this.#listener.rulesChanged();
    return curfew;
  }

  get(id: string): Promise<Curfew | undefined> {
    return this.#store.getCurfew(id);
  }

  /** Newest first; `state` narrows (absent: every state). */
  async page(query: {
    state?: readonly CurfewState[];
    text?: string;
    limit: number;
    offset: number;
  }): Promise<CurfewPage> {
    const { state, text } = query;
    const [curfews, total] = await Promise.all([
      this.#store.listCurfews(query),
      this.#store.countCurfews({ ...(state && { state }), ...(text !== undefined && { text }) }),
    ]);
    return { curfews, total };
  }

  /** Sets a new end on an active curfew (`{until}` or `{duration}` from now; `{"until": null}`: until lifted). */
  async extend(id: string, body: unknown, actor: Actor, now = Date.now()): Promise<Curfew> {
    const before = await this.#found(id);
    const until = parseExtension(body, before, now);
    const after = await this.#store.extendCurfew(id, until, actor.name, now);
    if (!after) throw notActive(await this.#found(id));
    await this.#audit(actor, 'curfew.extend', after, { from: before.until, until });
    this.#listener.rulesChanged();
    return after;
  }

  /** Ends an active curfew now; lifting an ended one is a conflict naming its state. */
  async lift(id: string, actor: Actor, now = Date.now()): Promise<Curfew> {
    await this.#found(id);
    const after = await this.#store.liftCurfew(id, actor.name, now);
    if (!after) throw notActive(await this.#found(id));
    await this.#audit(actor, 'curfew.lift', after, { until: after.until });
    this.#listener.rulesChanged();
    return after;
  }

  async violations(id: string, page: { limit: number; offset: number }): Promise<CurfewViolation[]> {
    await this.#found(id);
    return this.#store.listViolations(id, page);
  }

  prevention(): Promise<PreventionState[]> {
    return this.#store.listPreventionState();
  }

  async #found(id: string): Promise<Curfew> {
    const curfew = await this.#store.getCurfew(id);
    if (!curfew) throw new DomainError('not_found', CURFEW_NOT_FOUND, `Curfew ${id} not found.`);
    return curfew;
  }

  /**
   * Refuses scopes the inventory does not know (DomainError 'invalid'), as setInput does first. Public so a kill's
   * "and keep out" can be refused before its kill is submitted, not after.
   */
  async checkScopes(input: CurfewInput): Promise<void> {
    if (input.where.all) return;
    const [devices, clusters, groups] = await Promise.all([
      this.#store.listDevices(),
      this.#store.listClusters(),
      this.#store.listAccessGroups(),
    ]);
    const unknown = curfewUnknownScopes(input.where, {
      devices,
      clusterNames: clusters.map((c) => c.name),
      accessGroupNames: groups.map((g) => g.name),
    });
    const problems = [
      ...unknown.unknownDevices.map((id) => `device ${id}`),
      ...unknown.unknownClusters.map((name) => `cluster ${name}`),
      ...unknown.unknownAccessGroups.map((name) => `access group ${name}`),
    ];
    if (problems.length > 0) {
      throw new DomainError('invalid', 'CURFEW_REQUEST', `Unknown scope(s): ${problems.join(', ')}.`, {
        ...unknown,
      });
    }
  }

  #audit(actor: Actor, action: string, curfew: Curfew, details: Record<string, unknown>): Promise<void> {
    return this.#store.appendAudit({
      at: Date.now(),
      actor: actor.name,
      address: actor.address,
      action,
      subject: curfew.id,
      details,
    });
  }
}

function notActive(curfew: Curfew, now = Date.now()): DomainError {
  // Past its end but not yet marked by an enforcement round: it is over all the same.
  const state = isActive(curfew, now) || curfew.state !== 'active' ? curfew.state : 'expired';
  return new DomainError('conflict', 'CURFEW_NOT_ACTIVE', `Curfew ${curfew.id} is ${state}; it can no longer change.`, {
    state,
  });
}
