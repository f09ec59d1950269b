// `npm test`: make sure the machine has what the suite needs (idempotent), check types and lint,
// check generated docs are current, then run every test.
import { spawnSync } from 'node:child_process';

const steps = [
  ['bash', ['scripts/setup.sh']],
  ['npx', ['tsc', '--noEmit']],
  ['npx', ['eslint', '.']],
  ['npx', ['tsx', 'scripts/gen-docs.ts', '--check']],
  ['npx', ['vitest', 'run', ...process.argv.slice(2)]],
];
for (const [cmd, args] of steps) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
