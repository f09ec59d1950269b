// The driver over a real pseudo-terminal: socat links two ptys, the scripted fake device holds one
// end through serialport, the host opens the other by path through transport.ts. The session and
// one robotic verb with its events go across the kernel's tty layer, as they would to a bridge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { SerialPort } from 'serialport';
import { decodeFrame } from '../../src/robot/dprp/frame.ts';
import { connectDprp, type DprpConnection } from '../../adapters/robot/dprp-link.ts';
import { DprpLinkError } from '../../adapters/robot/dprp-errors.ts';
import { openSerialTransport } from '../../adapters/robot/transport.ts';
import { startPtyPair, type PtyPair } from '../../adapters/robot/socat-pty.ts';
import { readGoldenTranscripts } from '../support/golden-transcripts.ts';
import { FakeDprpDevice, goldenHello, replayByVerb } from '../support/fake-dprp-device.ts';

const transcripts = readGoldenTranscripts();
const sessionOpen = transcripts.find((t) => t.name === 'session-open')!;
const oneDisc = transcripts.find((t) => t.name === 'one-disc')!;

let dir: string;
let pty: PtyPair;
let devicePort: SerialPort;
let connection: DprpConnection | null = null;

function openPort(portPath: string): Promise<SerialPort> {
  const port = new SerialPort({ path: portPath, baudRate: 115200, autoOpen: false });
  return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(port))));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dprp-pty-'));
  pty = await startPtyPair(path.join(dir, 'robot'), path.join(dir, 'dev'));
  expect(fs.existsSync(path.join(dir, 'robot')) && fs.existsSync(path.join(dir, 'dev'))).toBe(true);
  devicePort = await openPort(path.join(dir, 'dev'));
});

afterAll(async () => {
  await connection?.close();
  if (devicePort?.isOpen) await new Promise<void>((resolve) => devicePort.close(() => resolve()));
  await pty?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('DPRP driver over a socat pty pair', () => {
  it('opens the session and runs LOAD_DRIVE with its events across the pty', async () => {
    const device = new FakeDprpDevice(devicePort).respondWith(replayByVerb(transcripts));
    connection = await connectDprp({
      clientName: 'discrobot/0.1.0',
      client: { silenceMs: 0 },
      open: async () => {
        const transport = await openSerialTransport(path.join(dir, 'robot'));
        // The device announces itself once the host's end is open, as a bridge does on a new link.
        await device.send(goldenHello(transcripts));
        return transport;
      },
    });
    const { client, session } = connection;
    expect(device.received).toEqual(sessionOpen.lines.filter((l) => l.dir === 'host').map((l) => l.text));
    expect(session.info).toMatchObject({ model: 'DP-XRP', impl: 'sim', type: 5, drives: 2, bins: 2, actions: 0x3b3, trayControl: 'robot' });
    expect(session.drives.map((d) => d.serial)).toEqual(['SIM-DP-XRP-D0', 'SIM-DP-XRP-D1']);
    expect(session.status).toMatchObject({ state: 0, phase: 'IDLE', bins: [0, 25] });
    expect(session.hello.announced).toMatchObject({ proto: 'DPRP/1', model: 'DP-XRP' });

    const firstTurn = oneDisc.lines.slice(1, oneDisc.lines.findIndex((l, i) => i > 0 && l.dir === 'host'));
    const expectedEvents = firstTurn.filter((l) => l.text.startsWith('E')).map((l) => {
      const decoded = decodeFrame(l.text);
      if (!decoded.ok) throw new Error(l.text);
      return { verb: decoded.frame.verb, args: decoded.frame.args };
    });
    const events = firstValueFrom(client.events$.pipe(take(expectedEvents.length), toArray()));
    const reply = await client.request('LOAD_DRIVE', { drive: '0', from: '1', clear: '1' });
    expect(reply).toEqual({ ok: true, fields: { op: '1' } });
    expect(await events).toEqual(expectedEvents);
    expect(device.received.at(-1)).toMatch(/^Q5 LOAD_DRIVE drive=0 from=1 clear=1 \*[0-9A-F]{4}$/);
  });

  it('notices when the pty pair goes away: the next line the host writes ends the link', async () => {
    expect(connection).not.toBeNull();
    const { client } = connection!;
    const death = firstValueFrom(client.dead$);
    await pty.close();
    // serialport sees a pty hang-up at once only if a read is parked on its poller; otherwise its
    // reads return 0 bytes until a write fails. So the host writes, as the liveness PING would.
    await expect(client.request('PING')).rejects.toThrow(DprpLinkError);
    expect((await death).reason).toMatch(/transport ended/);
    expect(client.transport.isClosed).toBe(true);
  });
});
