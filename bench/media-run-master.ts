// `discrobot master` as a process of its own for bench/media.ts, until src/cli.ts registers the
// command (then the benchmark runs bin/discrobot.js and this file is no longer used).
import { Command, CommanderError } from 'commander';
import { registerMasterCommand } from '../src/commands/master.ts';

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
