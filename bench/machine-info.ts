// What the benchmark ran on, printed with its results: numbers without the machine mean little.
import { readdir, readFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runTool } from './processes.ts';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  dcmtk: string;
  tempDir: string;
  /** File system type, device and mount options of the folder the receivers write into. */
  fileSystem: string;
  /** What the kernel says about the device under that file system. */
  disk: string;
}

export async function describeMachine(tempDir: string): Promise<MachineInfo> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const dcmtkVersion = await runTool('storescp', ['--version'], { timeoutMs: 10_000 }).catch(() => undefined);
  const dcmtk = /storescp v([\d.]+ [\d-]+)/.exec(dcmtkVersion?.stdout ?? '')?.[1] ?? 'unknown';
  const mount = await runTool('findmnt', ['-n', '-o', 'FSTYPE,SOURCE,OPTIONS', '--target', tempDir], { timeoutMs: 10_000 }).catch(() => undefined);
  const [fsType = 'unknown', source = 'unknown', options = ''] = (mount?.stdout.trim() ?? '').split(/\s+/);
  return {
    cpuModel,
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    dcmtk,
    tempDir,
    fileSystem: `${fsType} on ${source}${options ? ` (${options})` : ''}`,
    disk: await describeDisk(source),
  };
}

/** Driver, rotational flag and model of a block device such as /dev/vda, as far as /sys tells. */
async function describeDisk(source: string): Promise<string> {
  const base = await findBlockDevice(path.basename(source));
  if (!base) return 'unknown';
  const read = (file: string) => readFile(path.join('/sys/block', base, file), 'utf8').then((s) => s.trim(), () => '');
  const driver = path.basename(await realpath(path.join('/sys/block', base, 'device', 'driver')).catch(() => ''));
  const rotational = await read('queue/rotational');
  const model = (await read('device/model')) || (await read('device/vendor'));
  const parts = [`/dev/${base}`];
  if (driver) parts.push(`driver ${driver}`);
  if (model) parts.push(`model ${model}`);
  if (rotational) parts.push(`rotational=${rotational}${driver.startsWith('virtio') ? ' (virtio reports 1 by default; the backing store is not visible)' : ''}`);
  return parts.join(', ');
}

/** The whole-disk entry in /sys/block for a device or partition name (vda1 -> vda, nvme0n1p2 -> nvme0n1). */
async function findBlockDevice(name: string): Promise<string | undefined> {
  const disks = await readdir('/sys/block').catch(() => [] as string[]);
  if (disks.includes(name)) return name;
  return disks.find((disk) => name.startsWith(disk));
}

export function formatMachine(info: MachineInfo): string[] {
  const gib = (info.memoryBytes / 2 ** 30).toFixed(1);
  return [
    `CPU          ${info.cpuModel}, ${info.cores} cores`,
    `Memory       ${gib} GiB`,
    `Kernel       ${info.kernel}`,
    `Node.js      ${info.node}`,
    `DCMTK        ${info.dcmtk}`,
    `Temp folder  ${info.tempDir}: ${info.fileSystem}`,
    `Disk         ${info.disk}`,
  ];
}
