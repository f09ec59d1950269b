// DCMTK tools as processes a test can hold on to (stop, kill), dcmdump as a file checker, and DCMTK's
// own storescp in bit-preserving mode as the oracle of which bytes storescu puts on the wire.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { echoscu, runTool, storescu, type ToolResult } from './dcmtk.ts';
import { datasetBytes } from './part10.ts';

export interface RunningTool {
  child: ChildProcess;
  /** Settles when the process has exited, however it ended. */
  done: Promise<ToolResult>;
}

/** Starts a tool as runTool does (Nagle off) but hands back the process. */
export function startTool(command: string, args: string[]): RunningTool {
  const child = spawn(command, args, { env: { ...process.env, TCP_NODELAY: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<ToolResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, output: stdout + stderr }));
  });
  return { child, done };
}

export const startStorescu = (port: number, calledAe: string, files: string[], extra: string[] = []) =>
  startTool('storescu', ['-aec', calledAe, ...extra, '127.0.0.1', String(port), ...files]);

export interface DumpResult {
  code: number | null;
  /** dcmdump's E: and W: lines: a file it cannot read completely, or reads with complaints. */
  complaints: string[];
}

/** dcmdump, file format only (+fo: a PS3.10 file with its meta header), in batches of files. */
export async function dcmdumpFiles(files: string[]): Promise<DumpResult> {
  const complaints: string[] = [];
  let code: number | null = 0;
  for (let i = 0; i < files.length; i += 200) {
    const result = await runTool('dcmdump', ['+fo', ...files.slice(i, i + 200)]);
    if (result.code !== 0) code = result.code;
    complaints.push(...result.output.split('\n').filter((line) => /^[EWF]: /.test(line)));
  }
  return { code, complaints };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Sends files with storescu (same options) to DCMTK's storescp in bit-preserving mode and returns the
 * data set bytes that arrived, by SOP Instance UID: what storescu really put on the wire (DCMTK
 * re-encodes, for instance every sequence with explicit lengths).
 */
export async function wireDatasets(workDir: string, files: string[], storescuArgs: string[]): Promise<Map<string, Buffer>> {
  const outDir = path.join(workDir, `storescp-${Date.now()}`);
  mkdirSync(outDir, { recursive: true });
  const port = await freePort();
  const scp = startTool('storescp', ['+B', '-aet', 'ORACLE', '-od', outDir, String(port)]);
  try {
    let ready = false;
    for (let attempt = 0; attempt < 50 && !ready; attempt++) {
      ready = (await echoscu(port, 'ORACLE')).code === 0;
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready) throw new Error(`storescp did not answer on port ${port}`);
    const sent = await storescu(port, 'ORACLE', files, storescuArgs);
    if (sent.code !== 0) throw new Error(`storescu to storescp failed: ${sent.output}`);
  } finally {
    scp.child.kill('SIGTERM');
    await scp.done;
  }
  // storescp names each file <modality>.<SOP Instance UID>.
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(outDir)) out.set(name.slice(name.indexOf('.') + 1), datasetBytes(path.join(outDir, name)));
  return out;
}

export interface NegotiatedContextLine {
  id: number;
  /** DCMTK's words for the result: "Accepted", "Abstract Syntax Not Supported", ... */
  result: string;
  /** As DCMTK prints it: "=BasicTextSRStorage" for a known UID, the UID itself otherwise. */
  abstractSyntax: string;
}

/** The presentation contexts of the A-ASSOCIATE-AC in storescu's `-v +v` output. */
export function negotiatedContexts(output: string): NegotiatedContextLine[] {
  const start = output.indexOf('BEGIN A-ASSOCIATE-AC');
  const end = output.indexOf('END A-ASSOCIATE-AC', start);
  if (start < 0 || end < 0) return [];
  const block = output.slice(start, end);
  return [...block.matchAll(/Context ID:\s+(\d+) \(([^)]+)\)\s*\n\S*\s+Abstract Syntax:\s+(\S+)/g)]
    .map((m) => ({ id: Number(m[1]), result: m[2]!, abstractSyntax: m[3]! }));
}
