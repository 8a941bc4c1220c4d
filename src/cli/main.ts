// `curfew` command line: parses arguments and hands off to one command module each.
import { Command } from 'commander';
import { registerDevicesCommands } from './devices.command.js';
import { registerLabCommand } from './lab.command.js';
import { registerServeCommand } from './serve.command.js';
import { VERSION } from './version.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('curfew')
    .description(
      'Control plane for active access sessions: see who is connected where, and end their sessions everywhere.',
    )
    .version(VERSION);
  registerServeCommand(program);
  registerLabCommand(program);
  registerDevicesCommands(program);
  await program.parseAsync(argv);
}

/**
 * The `curfew` executable: runs `main` and exits non-zero with `curfew: <message>` on stderr when a command fails.
 * Shared by bin/curfew.js (built) and the tests (from source).
 */
export function runCli(argv: string[]): void {
  // A closed pipe (`curfew devices list | head`) is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main(argv).catch((err: unknown) => {
    process.stderr.write(`curfew: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
