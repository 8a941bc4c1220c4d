// The devices a kill will ask, and which of them look unable to answer right now. The scope is what the operator
// named (the whole fleet for a user, or the group, cluster or device), never where the inventory last saw sessions:
// every device asked lists its sessions live, so the inventory's staleness only affects the counts shown.
import { ApiError, type ConfigObject, loadCollection } from '../api.js';
import { ago, plural } from '../format.js';
import { useLive } from '../live.js';
import { useResource } from '../use-resource.js';
import type { DeviceBody } from './devices.js';
import type { KillPlan } from './kill.js';

/** Inventory sync runs every 30 s by default: a device not listed for three rounds is stale. */
export const STALE_AFTER_SECONDS = 90;

type Device = ConfigObject<DeviceBody>;

export interface ScopeDevices {
  /** Devices the operator named (every device for a user's kill). */
  inScope: Device[];
  /** Devices the task will ask: as the server resolves it, a cluster member is replaced by its ACTIVE unit. */
  asked: Device[];
  unreachable: Device[];
  stale: Device[];
}

function named(plan: KillPlan, devices: Device[]): Device[] {
  if (plan.kind === 'user') return devices;
  if (plan.kind === 'sessions') {
    const keys = new Set(plan.sessions.map((s) => s.deviceKey));
    return devices.filter((d) => keys.has(d.key));
  }
  if (plan.scope === 'device') return devices.filter((d) => d.key === plan.key);
  if (plan.scope === 'cluster') return devices.filter((d) => d.body.cluster?.key === plan.key);
  return devices.filter((d) => d.body.access_group?.key === plan.key);
}

/** The server's rule (src/core/selector.ts): sessions live on a cluster's ACTIVE unit; explicit ids go where they are. */
function askedOf(plan: KillPlan, inScope: Device[], devices: Device[]): Device[] {
  if (plan.kind === 'sessions') return inScope;
  const activeOf = (cluster: string) =>
    devices.find((d) => d.body.cluster?.key === cluster && d.body.failover === 'ACTIVE');
  const asked = new Map<string, Device>();
  for (const device of inScope) {
    const cluster = device.body.cluster?.key;
    const unit = (cluster !== undefined && activeOf(cluster)) || device;
    asked.set(unit.key, unit);
  }
  return [...asked.values()];
}

export function scopeDevicesOf(plan: KillPlan, devices: Device[], nowSeconds: number): ScopeDevices {
  const inScope = named(plan, devices);
  const asked = askedOf(plan, inScope, devices);
  const unreachable = asked.filter((d) => d.body.state !== 'online');
  const stale = asked.filter(
    (d) =>
      d.body.state === 'online' && (d.body.last_sync === null || nowSeconds - d.body.last_sync > STALE_AFTER_SECONDS),
  );
  return { inScope, asked, unreachable, stale };
}

/**
 * The devices in scope, read from the fleet configuration (it carries each device's state and last sync); kept
 * current while the dialog is open. `forbidden` when this login may kill but not read the device list.
 */
export function useScopeDevices(plan: KillPlan) {
  const devices = useResource(async () => {
    try {
      return scopeDevicesOf(plan, await loadCollection<DeviceBody>('/api/configuration/devices'), Date.now() / 1000);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return 'forbidden' as const;
      throw err;
    }
  }, []);
  useLive(['sync'], devices.reload, 3000);
  return devices;
}

function scopeName(plan: KillPlan): string {
  if (plan.kind === 'user') return 'the whole fleet';
  if (plan.kind === 'sessions') return 'the devices of the selected sessions';
  return `${plan.scope.replace('_', ' ')} ${plan.name}`;
}

const problem = (d: Device) =>
  `${d.body.hostname}: ${d.body.state}${d.body.last_error ? ` — ${d.body.last_error}` : ''}`;
const them = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** The confirmation's account of the scope: how many devices, how many asked, which look unable to answer. */
export function ScopeNote(props: { plan: KillPlan; devices: ScopeDevices | 'forbidden' | undefined; error?: string }) {
  const { devices } = props;
  if (devices === undefined) return <p aria-live="polite">{props.error ?? 'Checking the devices in scope…'}</p>;
  if (devices === 'forbidden')
    return (
      <p class="muted" data-testid="scope-devices">
        Every device in scope ({scopeName(props.plan)}) is listed live. This account may not read the device list, so
        their state is not shown here.
      </p>
    );
  const { inScope, asked, unreachable, stale } = devices;
  return (
    <div data-testid="scope-devices" aria-live="polite">
      <p>
        Every device is listed live: <strong>{plural(inScope.length, 'device')}</strong> in scope (
        {scopeName(props.plan)})
        {asked.length !== inScope.length && `, ${asked.length} asked (each cluster through its ACTIVE unit)`}.
      </p>
      {unreachable.length > 0 && (
        <p class="notice">
          {unreachable.length} unreachable ({unreachable.map(problem).join('; ')}) — the task will fail for{' '}
          {them(unreachable.length, 'it unless it answers', 'them unless they answer')}.
        </p>
      )}
      {stale.length > 0 && (
        <p class="notice">
          {stale.length} stale, not synced in the last {STALE_AFTER_SECONDS} s (
          {stale.map((d) => `${d.body.hostname}: last sync ${ago(d.body.last_sync)}`).join('; ')}) — the counts above
          may miss {them(stale.length, 'its', 'their')} sessions.
        </p>
      )}
      <HealthyNote healthy={asked.length - unreachable.length - stale.length} all={asked.length} />
    </div>
  );
}

/** Says the staleness rule even when every device passes it. */
function HealthyNote(props: { healthy: number; all: number }) {
  const { healthy, all } = props;
  if (healthy === 0) return null;
  const who =
    healthy === all ? (all === 1 ? 'It is' : `All ${all} are`) : `The other ${healthy} ${them(healthy, 'is', 'are')}`;
  return (
    <p class="muted">
      {who} online and synced in the last {STALE_AFTER_SECONDS} s.
    </p>
  );
}
