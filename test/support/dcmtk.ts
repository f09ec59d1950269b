// Runs DCMTK's network tools as the sending modality, with Nagle off as a real modality would
// (Debian's DCMTK keeps it on unless TCP_NODELAY=1 is in its environment).
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together: DCMTK prints its diagnostics on either. */
  output: string;
}

export function runTool(command: string, args: string[], options: { timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, TCP_NODELAY: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, output: stdout + stderr });
    });
  });
}

export const echoscu = (port: number, calledAe: string, extra: string[] = []) =>
  runTool('echoscu', ['-v', '-aec', calledAe, ...extra, '127.0.0.1', String(port)]);

export const storescu = (port: number, calledAe: string, files: string[], extra: string[] = []) =>
  runTool('storescu', ['-v', '-aec', calledAe, ...extra, '127.0.0.1', String(port), ...files], { timeoutMs: 300_000 });

/** Sends one file in its own association (storescu -d) and reads the C-STORE status and Error Comment (an LO: its first 64 characters) from the dump. */
export async function storeOneWithStatus(port: number, file: string): Promise<{ status: number; comment: string; output: string }> {
  const result = await storescu(port, 'DISCROBOT', [file], ['-d']);
  const status = /DIMSE Status\s*:\s*0x([0-9a-f]{4})/i.exec(result.output);
  if (!status) throw new Error(`no C-STORE response in storescu's output (exit ${result.code}):\n${result.output.slice(-3000)}`);
  const comment = /\(0000,0902\) LO \[(.*)\]/.exec(result.output)?.[1] ?? '';
  return { status: parseInt(status[1]!, 16), comment, output: result.output };
}
