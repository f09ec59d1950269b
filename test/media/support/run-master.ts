// Runs `discrobot master` in a process of its own, as the CLI does (the lead wires the command
// into src/cli.ts; this harness needs only the command's own module).
import { Command, CommanderError } from 'commander';
import { registerMasterCommand } from '../../../src/commands/master.ts';

const program = new Command('discrobot').exitOverride();
let code = 0;
registerMasterCommand(program, (c) => (code = c));
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  code = err.exitCode === 0 ? 0 : 2;
}
process.exitCode = code;
