// `--lab N`: emulated BIG-IP devices in this process, registered in the inventory like real ones and synced.
import { LAB_ADMIN, type LabDeviceInfo, LabFleet } from '../../lab/bigip/emulator.js';
import type { Engine } from '../engine/engine.js';

export interface LabHandle {
  fleet: LabFleet;
  summary(): string;
  stop(): Promise<void>;
}

export interface StartLabOptions {
  devices: number;
  sessionsPerDevice: number;
  latencyMs?: number;
}

const LAB_ACTOR = { name: 'curfew', address: 'lab' };
const LAB_DEVICES_SETTING = 'lab.device_ids';

export function labPassword(): string {
  return process.env.CURFEW_LAB_PASSWORD || 'admin';
}

export async function startLab(engine: Engine, options: StartLabOptions): Promise<LabHandle> {
  const fleet = await LabFleet.start({ ...options, password: labPassword() });
  try {
    await registerLabDevices(engine, fleet.devices);
    await engine.sync.syncAll();
  } catch (err) {
    await fleet.stop();
    throw err;
  }
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

/**
 * Registers lab devices, or points already registered ones (same machine id, from an earlier start with the same
 * data dir) at this run's ports. Lab certificates are self-signed, so TLS verification is off for them only.
 */
export async function registerLabDevices(engine: Engine, devices: readonly LabDeviceInfo[]): Promise<void> {
  // Lab devices of an earlier, larger lab on this data dir no longer exist: drop them rather than show them down.
  const current = new Set(devices.map((d) => d.id));
  const previous = JSON.parse((await engine.store.getSetting(LAB_DEVICES_SETTING)) ?? '[]') as string[];
  for (const id of previous) if (!current.has(id)) await engine.inventory.removeDevice(id, LAB_ACTOR);
  await engine.store.setSetting(LAB_DEVICES_SETTING, JSON.stringify([...current]));
  for (const info of devices) {
    const existing = await engine.store.findDeviceById(info.id);
    if (existing) {
      await engine.store.updateDevice({ ...existing, address: info.address, port: info.port });
      await engine.connections.drop(info.id);
      continue;
    }
    await engine.inventory.addDevice(
      {
        id: info.id,
        hostname: info.hostname,
        address: info.address,
        port: info.port,
        kind: 'bigip',
        username: LAB_ADMIN,
        password: labPassword(),
        verifyTls: false,
        cluster: info.cluster,
        accessGroup: info.accessGroup,
      },
      LAB_ACTOR,
    );
  }
}
