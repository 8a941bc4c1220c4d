// `curfew lab`: emulated devices alone, for pointing another curfew (or any BIG-IP client) at.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LAB_ADMIN, LabFleet } from '../../lab/bigip/emulator.js';
import { labPassword } from './lab-fleet.js';
import { parseInteger } from './options.js';

interface LabOptions {
  devices: number;
  sessions: number;
  basePort: number;
  latency: number;
  out?: string;
}

export function registerLabCommand(program: Command): void {
  program
    .command('lab')
    .description('run emulated BIG-IP devices on 127.0.0.1 until stopped')
    .option('--devices <n>', 'number of emulated devices (paired into HA clusters)', parseInteger(1, 5000), 12)
    .option('--sessions <k>', 'synthetic sessions per cluster or standalone device', parseInteger(0, 100_000), 25)
    .option('--base-port <port>', 'device n listens on base-port + n (0 = ephemeral ports)', parseInteger(0, 65_000), 0)
    .option('--latency <ms>', 'added to every device response', parseInteger(0, 60_000), 0)
    .option('--out <file>', 'write the fleet as JSON, for `curfew devices import`')
    .action(async (options: LabOptions) => {
      const fleet = await LabFleet.start({
        devices: options.devices,
        sessionsPerDevice: options.sessions,
        basePort: options.basePort,
        latencyMs: options.latency,
        password: labPassword(),
      });
      const description = fleet.devices.map((d) => ({
        ...d,
        kind: 'bigip',
        username: LAB_ADMIN,
        verifyTls: false,
      }));
      if (options.out) writeFileSync(options.out, `${JSON.stringify({ devices: description }, null, 2)}\n`);
      for (const d of fleet.devices) {
        process.stdout.write(
          `${d.id}  https://${d.address}:${d.port}  ${d.hostname}  ${d.cluster ?? '-'} ${d.failover}  ${d.accessGroup ?? '-'}\n`,
        );
      }
      process.stdout.write(
        `${fleet.devices.length} emulated devices up (login ${LAB_ADMIN} / CURFEW_LAB_PASSWORD or "admin")\n`,
      );
      const stop = () => void fleet.stop().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
