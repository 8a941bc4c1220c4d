// `curfew devices …`: manage the inventory in a data dir directly (a running server on it sees changes at its next
// sync or kill). Passwords come from the environment, never from argv, so they stay out of shell history and `ps`.
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { DEVICE_KINDS, type DeviceKind } from '../core/model.js';
import { DeviceConnections } from '../engine/connections.js';
import { type DeviceRegistration, InventoryService } from '../engine/inventory.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { parseInteger } from './options.js';
import { DB_OPTION, DB_OPTION_HELP, requireExistingStore, storeOptionsFor } from './store-location.js';

const CLI_ACTOR = { name: process.env.USER ?? 'cli', address: 'cli' };

interface StoreLocation {
  dataDir: string;
  db?: string;
}

/**
 * Runs `run` on the inventory at `where`. `existing` (reads, removals) refuses a missing store and creates nothing;
 * `create` (adds, imports) creates the data dir, database and secret key when missing.
 */
async function withInventory<T>(
  where: StoreLocation,
  mode: 'existing' | 'create',
  run: (store: Store, inventory: InventoryService) => Promise<T>,
): Promise<T> {
  const options = storeOptionsFor(where.dataDir, where.db);
  if (mode === 'existing') requireExistingStore(options);
  const store = await openStore({ ...options, create: mode === 'create' });
  try {
    return await run(
      store,
      new InventoryService(store, new DeviceConnections({}, store, { timeoutMs: 1, perDeviceConcurrency: 1 })),
    );
  } finally {
    await store.close();
  }
}

function passwordFrom(envName: string): string {
  const password = process.env[envName];
  if (!password) throw new Error(`set the device password in the environment variable ${envName}`);
  return password;
}

function parseKind(value: string): DeviceKind {
  if (!DEVICE_KINDS.includes(value as DeviceKind))
    throw new InvalidArgumentError(`expected one of ${DEVICE_KINDS.join(', ')}`);
  return value as DeviceKind;
}

interface AddOptions extends StoreLocation {
  hostname: string;
  address: string;
  port: number;
  kind: DeviceKind;
  username: string;
  passwordEnv: string;
  insecure?: boolean;
  cluster?: string;
  accessGroup?: string;
  id?: string;
}

export function registerDevicesCommands(program: Command): void {
  const devices = program.command('devices').description('list, add, import and remove managed devices');

  devices
    .command('list')
    .option('--data-dir <dir>', 'data directory', './.curfew')
    .option(DB_OPTION, DB_OPTION_HELP)
    .action(async (options: StoreLocation) => {
      await withInventory(options, 'existing', async (store) => {
        const counts = await store.countSessionsByDevice();
        for (const d of await store.listDevices()) {
          const where = `${d.address}:${d.port}`;
          process.stdout.write(
            `${d.id}  ${d.hostname}  ${d.kind}  ${where}  ${d.cluster ?? '-'}/${d.failover}  ${d.accessGroup ?? '-'}  ${d.state}  ${counts.get(d.id) ?? 0} sessions\n`,
          );
        }
      });
    });

  devices
    .command('add')
    .requiredOption('--hostname <name>', 'device name shown everywhere')
    .requiredOption('--address <host>', 'management address')
    .option('--port <port>', 'management HTTPS port', parseInteger(1, 65_535), 443)
    .option('--kind <kind>', 'bigip or sps', parseKind, 'bigip')
    .option('--username <name>', 'device login', 'admin')
    .option('--password-env <VAR>', 'environment variable holding the device password', 'CURFEW_DEVICE_PASSWORD')
    .option('--insecure', 'do not verify the device TLS certificate')
    .option('--cluster <name>', 'HA cluster the device belongs to')
    .option('--access-group <name>', 'access group the device belongs to')
    .option('--id <uuid>', 'machine id (default: a new UUID)')
    .option('--data-dir <dir>', 'data directory', './.curfew')
    .option(DB_OPTION, DB_OPTION_HELP)
    .action(async (options: AddOptions) => {
      const registration: DeviceRegistration = {
        hostname: options.hostname,
        address: options.address,
        port: options.port,
        kind: options.kind,
        username: options.username,
        password: passwordFrom(options.passwordEnv),
        verifyTls: !options.insecure,
        cluster: options.cluster ?? null,
        accessGroup: options.accessGroup ?? null,
        ...(options.id !== undefined && { id: options.id }),
      };
      const device = await withInventory(options, 'create', (_store, inventory) =>
        inventory.addDevice(registration, CLI_ACTOR),
      );
      process.stdout.write(`added ${device.hostname} as ${device.id}\n`);
    });

  devices
    .command('import <file>')
    .description(
      'register devices from JSON ({"devices":[{hostname,address,port,kind,username,cluster,accessGroup,verifyTls,id}]}), e.g. from `curfew lab --out`',
    )
    .option('--password-env <VAR>', "environment variable holding the devices' password", 'CURFEW_DEVICE_PASSWORD')
    .option('--data-dir <dir>', 'data directory', './.curfew')
    .option(DB_OPTION, DB_OPTION_HELP)
    .action(async (file: string, options: StoreLocation & { passwordEnv: string }) => {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { devices?: Partial<DeviceRegistration>[] };
      const password = passwordFrom(options.passwordEnv);
      const entries = (parsed.devices ?? []).map((entry, index) => registrationFrom(entry, password, index));
      await withInventory(options, 'create', async (_store, inventory) => {
        for (const entry of entries) await inventory.addDevice(entry, CLI_ACTOR);
      });
      process.stdout.write(`imported ${entries.length} devices\n`);
    });

  devices
    .command('remove <id>')
    .option('--data-dir <dir>', 'data directory', './.curfew')
    .option(DB_OPTION, DB_OPTION_HELP)
    .action(async (id: string, options: StoreLocation) => {
      const removed = await withInventory(options, 'existing', (_store, inventory) =>
        inventory.removeDevice(id, CLI_ACTOR),
      );
      if (!removed) throw new Error(`no device with id ${id}`);
      process.stdout.write(`removed ${id}\n`);
    });
}

function registrationFrom(entry: Partial<DeviceRegistration>, password: string, index: number): DeviceRegistration {
  const { hostname, address, port } = entry;
  if (!hostname || !address || !Number.isInteger(port)) {
    throw new Error(`device #${index + 1}: hostname, address and an integer port are required`);
  }
  return {
    hostname,
    address,
    port: port as number,
    kind: entry.kind ?? 'bigip',
    username: entry.username ?? 'admin',
    password,
    verifyTls: entry.verifyTls ?? true,
    cluster: entry.cluster ?? null,
    accessGroup: entry.accessGroup ?? null,
    ...(entry.id !== undefined && { id: entry.id }),
  };
}
