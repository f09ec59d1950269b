// startServer for the interop suite, with dcmjs-dimse's own logging down to warnings: unrouted, the
// library prints every PDU to stdout (src/log.ts routes it for the CLI; startServer does not), which
// buries the test output and slows a 1000-object run.
import { dimseLog } from '../../adapters/dicom/dimse.ts';
import { startServer, type TestServer } from './server.ts';

export function startInteropServer(...args: Parameters<typeof startServer>): Promise<TestServer> {
  dimseLog.setLevel('warn');
  return startServer(...args);
}

/** Polls until check() holds, or fails with the message after timeoutMs. */
export async function waitFor(check: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
