// The BIG-IQ reference's own names on a lab fleet: access groups TestGroup1/2, clusters BlueCluster/RedCluster and
// the reference's device ids (including its malformed 3f320100-…-2e33cd3366d) on the ACTIVE units, so the
// documented examples run verbatim. A third pair (GreenCluster / TestGroup3) is the control that must stay untouched.
import { randomUUID } from 'node:crypto';
import { type AppHarness, startApp } from './app-harness.js';

export const BLUE_ID = '901695c8-f405-489f-9996-54f7b21da642';
export const RED_ID = '3f320100-2177-42e0-8a46-2e33cd3366d';
export const GREEN_ID = 'c0ffee00-0000-4000-8000-000000000001';

export interface SeedFleet extends AppHarness {
  /** Emulator device id behind each curfew device id. */
  labIdOf(deviceId: string): string;
  /** Sessions of `user` on the device right now (read from the emulator). */
  sessionsOf(deviceId: string, user?: string): string[];
}

const PAIRS = [
  { active: BLUE_ID, cluster: 'BlueCluster', group: 'TestGroup1', host: 'blue' },
  { active: RED_ID, cluster: 'RedCluster', group: 'TestGroup2', host: 'red' },
  { active: GREEN_ID, cluster: 'GreenCluster', group: 'TestGroup3', host: 'green' },
];

export async function startSeedFleet(): Promise<SeedFleet> {
  const h = await startApp({ fleet: { devices: 6, sessionsPerDevice: 3, users: ['alice', 'bob'] } });
  const fleet = h.fleet;
  if (!fleet) throw new Error('seed fleet needs a lab fleet');
  const labOf = new Map<string, string>();
  const actor = { name: 'test', address: '::1' };
  for (const d of fleet.devices) await h.engine.inventory.removeDevice(d.id, actor);
  for (const [index, pair] of PAIRS.entries()) {
    for (const [member, lab] of [fleet.devices[index * 2], fleet.devices[index * 2 + 1]].entries()) {
      if (!lab) throw new Error('lab fleet too small');
      const id = member === 0 ? pair.active : randomUUID();
      labOf.set(id, lab.id);
      await h.engine.inventory.addDevice(
        {
          id,
          hostname: `${pair.host}-${member === 0 ? 'a' : 'b'}.example.net`,
          address: lab.address,
          port: lab.port,
          kind: 'bigip',
          username: 'admin',
          password: 'admin',
          verifyTls: false,
          cluster: pair.cluster,
          accessGroup: pair.group,
        },
        actor,
      );
    }
  }
  await h.engine.sync.syncAll();
  const labIdOf = (deviceId: string) => {
    const labId = labOf.get(deviceId);
    if (!labId) throw new Error(`no lab device behind ${deviceId}`);
    return labId;
  };
  return {
    ...h,
    labIdOf,
    sessionsOf: (deviceId, user) =>
      fleet
        .sessions(labIdOf(deviceId))
        .filter((s) => user === undefined || s.user === user)
        .map((s) => s.sessionId),
  };
}
