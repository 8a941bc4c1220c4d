// `--lab N` / `--lab-sps M`: emulated BIG-IP devices and SPS appliances in this process, registered in the inventory
// like real ones and synced.
import { LAB_ADMIN, type LabDeviceInfo, LabFleet } from '../../lab/bigip/emulator.js';
import { SPS_ADMIN, SpsLabFleet } from '../../lab/sps/emulator.js';
import type { DeviceKind } from '../core/model.js';
import type { Engine } from '../engine/engine.js';

export interface LabHandle<Fleet = LabFleet> {
  fleet: Fleet;
  summary(): string;
  stop(): Promise<void>;
}

export interface StartLabOptions {
  devices: number;
  sessionsPerDevice: number;
  latencyMs?: number;
}

/** What registration needs of a lab device; SPS appliances are standalone, so `cluster` is optional. */
export type LabDeviceRecord = Pick<LabDeviceInfo, 'id' | 'hostname' | 'address' | 'port' | 'accessGroup'> & {
  cluster?: string | null;
};

const LAB_ACTOR = { name: 'curfew', address: 'lab' };
/** Per kind, so registering one kind's lab does not drop the other's devices. */
const LAB_DEVICES_SETTING: Record<DeviceKind, string> = { bigip: 'lab.device_ids', sps: 'lab.sps.device_ids' };
const LAB_USERS: Record<DeviceKind, string> = { bigip: LAB_ADMIN, sps: SPS_ADMIN };

export function labPassword(): string {
  return process.env.CURFEW_LAB_PASSWORD || 'admin';
}

/** Registers and syncs a started fleet; stops it when that fails, so no listener outlives a failed start. */
async function adopt(engine: Engine, fleet: { stop(): Promise<void> }, register: () => Promise<void>): Promise<void> {
  try {
    await register();
    await engine.sync.syncAll();
  } catch (err) {
    await fleet.stop();
    throw err;
  }
}

export async function startLab(engine: Engine, options: StartLabOptions): Promise<LabHandle> {
  const fleet = await LabFleet.start({ ...options, password: labPassword() });
  await adopt(engine, fleet, () => registerLabDevices(engine, fleet.devices));
  const clusters = new Set(fleet.devices.map((d) => d.cluster).filter(Boolean)).size;
  const groups = new Set(fleet.devices.map((d) => d.accessGroup).filter(Boolean)).size;
  return {
    fleet,
    summary: () =>
      `lab fleet: ${fleet.devices.length} emulated BIG-IP devices in ${clusters} HA clusters and ${groups} access groups, ` +
      `${options.sessionsPerDevice} sessions per cluster or standalone device`,
    stop: () => fleet.stop(),
  };
}

/** Standalone SPS appliances with hostnames `sps-<n>.lab.local`, spread over the same access groups as the BIG-IP lab. */
export async function startSpsLab(engine: Engine, options: StartLabOptions): Promise<LabHandle<SpsLabFleet>> {
  const fleet = await SpsLabFleet.start({ ...options, password: labPassword() });
  await adopt(engine, fleet, () => registerLabDevices(engine, fleet.devices, 'sps'));
  const groups = new Set(fleet.devices.map((d) => d.accessGroup).filter(Boolean)).size;
  return {
    fleet,
    summary: () =>
      `lab fleet: ${fleet.devices.length} emulated SPS appliances in ${groups} access groups, ` +
      `${options.sessionsPerDevice} active sessions per appliance`,
    stop: () => fleet.stop(),
  };
}

/**
 * Registers lab devices of one kind, or points already registered ones (same machine id, from an earlier start with
 * the same data dir) at this run's ports. Lab certificates are self-signed, so TLS verification is off for them only.
 */
export async function registerLabDevices(
  engine: Engine,
  devices: readonly LabDeviceRecord[],
  kind: DeviceKind = 'bigip',
): Promise<void> {
  const registrations = devices.map((info) => ({
    id: info.id,
    hostname: info.hostname,
    address: info.address,
    port: info.port,
    kind,
    username: LAB_USERS[kind],
    password: labPassword(),
    verifyTls: false,
    cluster: info.cluster ?? null,
    accessGroup: info.accessGroup,
  }));
  // Lab devices of an earlier, larger lab on this data dir no longer exist: dropped rather than shown down.
  await engine.inventory.adoptLab(LAB_DEVICES_SETTING[kind], registrations, LAB_ACTOR);
}
