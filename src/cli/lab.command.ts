// `curfew lab`: emulated devices alone (BIG-IP units and SPS appliances), for pointing another curfew (or any client)
// at. Each device also serves the lab control API under /lab/… (docs/lab.md).
import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { LAB_ADMIN, LabFleet } from '../../lab/bigip/emulator.js';
import { SPS_ADMIN, SpsLabFleet } from '../../lab/sps/emulator.js';
import { labPassword } from './lab-fleet.js';
import { parseInteger } from './options.js';

interface LabOptions {
  devices: number;
  sps: number;
  sessions: number;
  basePort: number;
  latency: number;
  out?: string;
}

interface Fleets {
  bigip: LabFleet | null;
  sps: SpsLabFleet | null;
}

/** BIG-IP units take base-port + 0.., SPS appliances the ports after them; if one fleet fails, the other is stopped. */
async function startFleets(options: LabOptions): Promise<Fleets> {
  const common = { sessionsPerDevice: options.sessions, latencyMs: options.latency, password: labPassword() };
  const bigip =
    options.devices > 0
      ? await LabFleet.start({ ...common, devices: options.devices, basePort: options.basePort })
      : null;
  try {
    const spsBase = options.basePort === 0 ? 0 : options.basePort + options.devices;
    const sps =
      options.sps > 0 ? await SpsLabFleet.start({ ...common, devices: options.sps, basePort: spsBase }) : null;
    return { bigip, sps };
  } catch (error) {
    await bigip?.stop();
    throw error;
  }
}

/** The `curfew devices import` format; lab certificates are self-signed, hence `verifyTls: false`. */
function importFile(fleets: Fleets): { devices: Record<string, unknown>[] } {
  const bigip = (fleets.bigip?.devices ?? []).map((d) => ({
    ...d,
    kind: 'bigip',
    username: LAB_ADMIN,
    verifyTls: false,
  }));
  const sps = (fleets.sps?.devices ?? []).map((d) => ({
    ...d,
    cluster: null,
    kind: 'sps',
    username: SPS_ADMIN,
    verifyTls: false,
  }));
  return { devices: [...bigip, ...sps] };
}

/** One line per device; SPS appliances are standalone, so their cluster column is `-` and their role `SPS`. */
function deviceLines(fleets: Fleets): string[] {
  const url = (d: { address: string; port: number }) => `https://${d.address}:${d.port}`;
  return [
    ...(fleets.bigip?.devices ?? []).map(
      (d) => `${d.id}  ${url(d)}  ${d.hostname}  ${d.cluster ?? '-'} ${d.failover}  ${d.accessGroup ?? '-'}`,
    ),
    ...(fleets.sps?.devices ?? []).map((d) => `${d.id}  ${url(d)}  ${d.hostname}  - SPS  ${d.accessGroup ?? '-'}`),
  ];
}

export function registerLabCommand(program: Command): void {
  program
    .command('lab')
    .description('run emulated BIG-IP devices and SPS appliances on 127.0.0.1 until stopped')
    .option('--devices <n>', 'number of emulated BIG-IP devices (paired into HA clusters)', parseInteger(0, 5000), 12)
    .option('--sps <m>', 'number of emulated SPS appliances', parseInteger(0, 5000), 0)
    .option(
      '--sessions <k>',
      'synthetic sessions per cluster, standalone device or appliance',
      parseInteger(0, 100_000),
      25,
    )
    .option('--base-port <port>', 'device n listens on base-port + n (0 = ephemeral ports)', parseInteger(0, 65_000), 0)
    .option('--latency <ms>', 'added to every device response', parseInteger(0, 60_000), 0)
    .option('--out <file>', 'write the fleet as JSON, for `curfew devices import`')
    .action(async (options: LabOptions) => {
      if (options.devices + options.sps === 0) throw new InvalidArgumentError('--devices and --sps are both 0');
      const fleets = await startFleets(options);
      if (options.out) writeFileSync(options.out, `${JSON.stringify(importFile(fleets), null, 2)}\n`);
      for (const line of deviceLines(fleets)) process.stdout.write(`${line}\n`);
      process.stdout.write(
        `${options.devices} emulated BIG-IP devices and ${options.sps} SPS appliances up ` +
          `(login ${LAB_ADMIN} / CURFEW_LAB_PASSWORD or "admin")\n`,
      );
      const stop = () => void Promise.all([fleets.bigip?.stop(), fleets.sps?.stop()]).then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
