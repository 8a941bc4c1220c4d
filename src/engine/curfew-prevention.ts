// Prevention at the gateway: every BIG-IP in scope of an active `enforce` curfew holds the curfewed user names in an
// internal data group its access policy consults at logon (docs/curfews.md), so a curfewed user is refused before a
// session exists. The list is computed from the store's active curfews and written whole (the device has no record-level
// concurrency), then read back; each device's state (in sync / drifted / unreachable / unsupported) is kept in the store.
//
// Only exact user names can go into the list (`class match … equals`); patterns, addresses and queries are enforced on
// sight. SPS has no login block over its API: its devices are `unsupported` and enforced on sight only.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { ConnectorError, type DenyRecord } from '../connectors/connector.js';
import { type Curfew, curfewScopesDevice } from '../core/curfew.js';
import type { Device } from '../core/model.js';
import type { CurfewStore, PreventionState, PreventionStatus } from '../store/store.js';
import type { DeviceConnections } from './connections.js';
import { errorFields, type Logger, silentLogger } from './log.js';

export type PreventionStore = Pick<CurfewStore, 'listPreventionState' | 'putPreventionState'>;

export const DEFAULT_DENY_LIST = '/Common/curfew_denied_users';
const SPS_UNSUPPORTED = 'SPS has no login block over its API: curfews are enforced on sight on this device.';

/** The records a device should hold: exact names of the active enforce curfews scoping it, the latest end per name. */
export function denyRecordsFor(device: Device, active: readonly Curfew[]): DenyRecord[] {
  const latest = new Map<string, Curfew>();
  for (const curfew of active) {
    if (curfew.mode !== 'enforce' || !curfewScopesDevice(curfew.where, device)) continue;
    for (const user of curfew.who.users) {
      if (/[*?]/.test(user)) continue;
      const held = latest.get(user);
      if (!held || endOf(curfew) > endOf(held)) latest.set(user, curfew);
    }
  }
  return [...latest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, c]) => ({
      name,
      data: `${c.id};${c.until === null ? 'until-lifted' : new Date(c.until).toISOString()}`,
    }));
}

const endOf = (c: Curfew) => c.until ?? Number.POSITIVE_INFINITY;

const hashOf = (records: readonly DenyRecord[]) =>
  createHash('sha256').update(JSON.stringify(records)).digest('hex').slice(0, 32);

const EMPTY_HASH = hashOf([]);

/** A device whose list curfew filled, or whose last write or check did not succeed. */
const mayHoldRecords = (row: PreventionState) =>
  row.status !== 'unsupported' && (row.recordsHash !== EMPTY_HASH || row.status !== 'in_sync');

const sameRecords = (a: readonly DenyRecord[], b: readonly DenyRecord[]) =>
  a.length === b.length && hashOf([...a].sort(byName)) === hashOf([...b].sort(byName));

const byName = (a: DenyRecord, b: DenyRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export interface PreventionOptions {
  /** Full path of the data group, e.g. /Common/curfew_denied_users. */
  denyList: string;
  /** Devices written at once: wide, so a new curfew reaches a large fleet in a few round trips. */
  concurrency: number;
}

export class PreventionKeeper {
  readonly #store: PreventionStore;
  readonly #connections: DeviceConnections;
  readonly #options: PreventionOptions;
  readonly #limit;
  readonly #log: Logger;

  constructor(store: PreventionStore, connections: DeviceConnections, options: PreventionOptions, log = silentLogger) {
    this.#store = store;
    this.#connections = connections;
    this.#options = options;
    this.#limit = pLimit(options.concurrency);
    this.#log = log;
  }

  /** Whether some device's deny list may hold records curfew wrote or failed to clear. */
  async mayHoldRecords(): Promise<boolean> {
    const rows = await this.#store.listPreventionState();
    return rows.some(mayHoldRecords);
  }

  /**
   * Brings the given devices' lists in line with the active curfews. Devices outside every curfew whose list curfew
   * never filled are left alone (no request). `verify` reads each list first (after a sync: someone may have edited
   * it); otherwise a device whose stored state already matches is skipped.
   */
  async converge(devices: readonly Device[], active: readonly Curfew[], verify: boolean): Promise<PreventionState[]> {
    const known = new Map((await this.#store.listPreventionState()).map((row) => [row.deviceId, row]));
    const work = devices.flatMap((device) => {
      const desired = device.kind === 'bigip' ? denyRecordsFor(device, active) : [];
      const row = known.get(device.id);
      if (device.kind !== 'bigip') {
        const inScope = active.some((c) => curfewScopesDevice(c.where, device));
        return inScope && row?.status !== 'unsupported' ? [{ device, desired, unsupported: true }] : [];
      }
      const hash = hashOf(desired);
      const touched = row !== undefined && mayHoldRecords(row);
      if (desired.length === 0 && !touched) return [];
      if (!verify && row?.status === 'in_sync' && row.recordsHash === hash) return [];
      return [{ device, desired, unsupported: false }];
    });
    const states = await Promise.all(
      work.map(({ device, desired, unsupported }) =>
        this.#limit(() => (unsupported ? unsupportedState(device) : this.#apply(device, desired, verify))),
      ),
    );
    await this.#store.putPreventionState(states);
    return states;
  }

  async #apply(device: Device, desired: DenyRecord[], verify: boolean): Promise<PreventionState> {
    const path = this.#options.denyList;
    const state = (status: PreventionStatus, message: string | null): PreventionState => ({
      deviceId: device.id,
      status,
      recordsHash: hashOf(desired),
      recordsText: desired.length === 0 ? null : desired.map((r) => r.name).join(', '),
      checkedAt: Date.now(),
      message,
    });
    try {
      const denyList = (await this.#connections.get(device)).denyList;
      if (!denyList) return state('unsupported', 'This device kind has no deny list.');
      let drift: string | null = null;
      if (verify || desired.length === 0) {
        const current = await denyList.read(path);
        // An absent list is what "nothing curfewed" looks like on a device curfew never wrote to.
        if ((current ?? []).length === 0 && desired.length === 0) return state('in_sync', null);
        if (current && sameRecords(current, desired)) return state('in_sync', null);
        drift =
          current === null ? `${path} was missing` : `${path} held ${current.length} record(s) curfew did not expect`;
      }
      const after = await denyList.write(path, desired);
      if (!sameRecords(after, desired))
        return state('drifted', `${path} reads back ${after.length} record(s), not ${desired.length}`);
      if (drift) this.#log.info({ device: device.hostname, drift }, 'deny list re-converged');
      return state('in_sync', drift && `re-converged: ${drift}`);
    } catch (err) {
      this.#log.warn({ device: device.hostname, ...errorFields(err) }, 'deny list not converged');
      const message = err instanceof Error ? err.message : String(err);
      const down = err instanceof ConnectorError && (err.code === 'unreachable' || err.code === 'timeout');
      return state(down ? 'unreachable' : 'drifted', message.slice(0, 300));
    }
  }
}

function unsupportedState(device: Device): PreventionState {
  return {
    deviceId: device.id,
    status: 'unsupported',
    recordsHash: null,
    recordsText: null,
    checkedAt: Date.now(),
    message: SPS_UNSUPPORTED,
  };
}
