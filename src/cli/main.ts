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
