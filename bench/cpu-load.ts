// How busy the machine's CPUs are with other work, sampled from /proc/stat just before a measurement:
// on a shared 2-core machine another process's test run can double a transfer's time, so each run
// reports what it competed with.
import { readFile } from 'node:fs/promises';

interface CpuTimes {
  busy: number;
  total: number;
}

async function readCpuTimes(): Promise<CpuTimes> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idleAll = idle + iowait;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idleAll };
}

/** Fraction (0..1) of all CPUs' time spent busy over the next `ms` milliseconds. */
export async function sampleCpuBusy(ms = 1000): Promise<number> {
  const start = await readCpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const end = await readCpuTimes();
  const total = end.total - start.total;
  return total > 0 ? (end.busy - start.busy) / total : 0;
}
