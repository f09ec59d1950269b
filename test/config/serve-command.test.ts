// `discrobot serve` hands its publisher flags to the configuration: its help names them, and a bad
// value stops start-up (exit 2) with a message naming the flag, before anything is opened.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import { MODEL_IDS } from '../../simulator/models.ts';

/** Runs the command line in this process; what it writes to stdout and stderr is captured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('discrobot serve', () => {
  it('documents --robot, --quiet-period, --http and --time-scale in its help', async () => {
    const { code, stdout } = await run(['serve', '--help']);
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--robot <spec>');
    expect(help).toContain(`models: ${MODEL_IDS.join(', ')}`);
    expect(help).toContain('--quiet-period <seconds>');
    expect(help).toContain('--http <addr:port>');
    expect(help).toContain('--time-scale <n>');
  });

  it('refuses bad publisher flags with exit status 2, naming each flag', async () => {
    const { code, stderr } = await run(['serve', '--robot', 'sim:NOPE', '--quiet-period', 'x', '--http', 'here:1', '--time-scale', '-2']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^discrobot: --robot sim:NOPE: must be a simulated robot model/);
    expect(stderr).toContain('\n--quiet-period: must be a number of seconds from 0 to 86400 (got x)\n');
    expect(stderr).toContain('\n--http: must be ADDRESS:PORT');
    expect(stderr).toContain('\n--time-scale: must be a number of simulated seconds per second from 0 (instant) to 100000 (got -2)\n');
  });

  it('refuses --time-scale when every robot is a serial one', async () => {
    const { code, stderr } = await run(['serve', '--robot', 'serial:/dev/ttyUSB0', '--time-scale', '100']);
    expect(code).toBe(2);
    expect(stderr).toBe('discrobot: --time-scale applies to simulated robots only\n');
  });
});
