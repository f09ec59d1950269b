// The golden transcripts of docs/robot-protocol.md §10, host side: a scripted fake device plays the
// `<` lines over an in-process link and the driver must write exactly the `>` lines, checksums
// included. The simulator is checked against the same lines elsewhere, separately.
import { describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { decodeFrame, encodeFrame, type Frame } from '../../src/robot/dprp/frame.ts';
import { DprpClient } from '../../adapters/robot/dprp-client.ts';
import { streamTransport } from '../../adapters/robot/transport.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';
import type { ChannelReply } from '../../adapters/robot/channel.ts';
import type { DprpLogger } from '../../adapters/robot/dprp-logger.ts';
import { readGoldenTranscripts, turns, type GoldenTranscript } from '../support/golden-transcripts.ts';
import { FakeDprpDevice, playTranscript } from '../support/fake-dprp-device.ts';

const transcripts = readGoldenTranscripts();
const CLIENT_NAME = 'discrobot/0.1.0';
/** Lines are checked here, not timing: no timeout or liveness PING may add a line of its own. */
const NO_TIMERS = { queryTimeoutMs: 60_000, acceptTimeoutMs: 60_000, silenceMs: 0 };

function transcript(name: string): GoldenTranscript {
  const found = transcripts.find((t) => t.name === name);
  if (!found) throw new Error(`no golden transcript ${name}`);
  return found;
}

function frameOf(line: string): Frame {
  const decoded = decodeFrame(line);
  if (!decoded.ok) throw new Error(`golden line does not decode: ${line}`);
  return decoded.frame;
}

const hostLines = (t: GoldenTranscript) => t.lines.filter((l) => l.dir === 'host').map((l) => l.text);

/** What the channel must make of a golden `R` line. */
function replyOf(line: string): ChannelReply {
  const { verb, args } = frameOf(line);
  if (verb === 'OK') return { ok: true, fields: args };
  const { code, name, ...fields } = args;
  return { ok: false, code: Number(code), name: name!, fields };
}

function recordingLogger() {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  const logger: DprpLogger = { debug: () => {}, info: () => {}, warn: (obj, msg) => warnings.push({ obj, msg }), error: () => {} };
  return { logger, warnings };
}

function connect(options: { logger?: DprpLogger } = {}) {
  const [hostEnd, deviceEnd] = createDuplexPair();
  const device = new FakeDprpDevice(deviceEnd);
  const client = new DprpClient(streamTransport(hostEnd), { ...NO_TIMERS, ...options });
  return { device, client };
}

describe('golden transcripts, driver side', () => {
  it('session-open: openSession writes Q1..Q4 literally and reads back what the device said', async () => {
    const golden = transcript('session-open');
    const { device, client } = connect();
    await playTranscript(device, golden);
    const session = await client.openSession(CLIENT_NAME);
    expect(device.received).toEqual(hostLines(golden));

    const said = golden.lines.filter((l) => l.dir === 'device').map((l) => frameOf(l.text));
    const hello = said.find((f) => f.kind === 'E' && f.verb === 'HELLO')!.args;
    const [helloReply, infoReply, drivesReply, statusReply] = said.filter((f) => f.kind === 'R').map((f) => f.args);
    const driveEvents = said.filter((f) => f.kind === 'E' && f.verb === 'DRIVE').map((f) => f.args);
    expect(drivesReply!.n).toBe(String(driveEvents.length));
    expect(session).toEqual({
      hello: { announced: hello, proto: helloReply!.proto, impl: helloReply!.impl, trayControl: helloReply!.trayControl },
      info: {
        impl: helloReply!.impl,
        model: infoReply!.model,
        type: Number(infoReply!.type),
        description: infoReply!.desc,
        firmware: infoReply!.fw,
        drives: Number(infoReply!.drives),
        printers: Number(infoReply!.printers),
        bins: Number(infoReply!.bins),
        actions: Number(infoReply!.acts),
        kiosk: infoReply!.kiosk === '1',
        maxPerBin: Number(infoReply!.maxPerBin),
        trayControl: infoReply!.trayControl,
      },
      drives: driveEvents.map((d) => ({ index: Number(d.i), col: Number(d.col), row: Number(d.row), name: d.name, serial: d.serial, dev: d.dev })),
      status: {
        state: Number(statusReply!.state),
        syserr: Number(statusReply!.syserr),
        phase: statusReply!.phase,
        op: Number(statusReply!.op),
        bins: statusReply!.bins!.split(',').map(Number),
        tray: statusReply!.tray,
        picker: statusReply!.picker,
        cover: Number(statusReply!.cover),
        carts: statusReply!.carts!.split(',').map(Number),
        ink: statusReply!.ink!.split(',').map(Number),
      },
    });
    // Anchors against a misreading shared by this test and the parser: hex mask, percent-decoding.
    expect(session.info.actions).toBe(0x3b3);
    expect(session.info.description).toBe('Disc Publisher XRP');
    expect(session.drives.map((d) => d.name)).toEqual(['SIM DVD-R drive', 'SIM DVD-R drive']);
    await client.close();
  });

  for (const name of ['one-disc', 'pick-failure-and-recovery']) {
    it(`${name}: each request writes its > line literally; replies and events come back in order`, async () => {
      const golden = transcript(name);
      const { device, client } = connect();
      await playTranscript(device, golden);
      const replies: ChannelReply[] = [];
      for (const turn of turns(golden)) {
        if (turn.host === null) continue;
        const request = frameOf(turn.host);
        const events = turn.device.filter((line) => line.startsWith('E')).map(frameOf).map(({ verb, args }) => ({ verb, args }));
        const arrived = events.length > 0 ? firstValueFrom(client.events$.pipe(take(events.length), toArray())) : null;
        const reply = await client.request(request.verb, request.args);
        replies.push(reply);
        expect(reply).toEqual(replyOf(turn.device.find((line) => line.startsWith('R'))!));
        if (arrived) expect(await arrived).toEqual(events);
      }
      expect(device.received).toEqual(hostLines(golden));
      if (name === 'pick-failure-and-recovery') {
        expect(replies[2]).toEqual({ ok: false, code: 528, name: 'PTROBOT_BUSY', fields: { syserr: '8' } });
      }
      await client.close();
    });
  }

  it('bad-lines: the line answered with N1 BADCRC goes again unchanged; N0 is logged; ERR replies name their code', async () => {
    const golden = transcript('bad-lines');
    const { logger, warnings } = recordingLogger();
    const { device, client } = connect({ logger });
    const script = turns(golden);
    const [badCrcTurn, garbageTurn, ...errorTurns] = script;
    // The device's R1 for the resent GET_STATUS is not in this transcript: take session-open's status reply.
    const statusReply = transcript('session-open').lines.find((l) => l.text.startsWith('R4 OK state='))!.text;
    const answers = [badCrcTurn!.device, [...garbageTurn!.device, device.renumber(statusReply, 1)], ...errorTurns.map((t) => t.device)];
    device.respondWith(() => answers.shift() ?? []);

    const status = await client.request('GET_STATUS');
    const sent = encodeFrame({ kind: 'Q', seq: 1, verb: 'GET_STATUS', args: {} });
    // The golden Q1 carries a broken checksum on purpose; all else is the driver's line.
    expect(sent.slice(0, sent.lastIndexOf(' *'))).toBe(badCrcTurn!.host!.slice(0, badCrcTurn!.host!.lastIndexOf(' *')));
    expect(device.received).toEqual([sent, sent]);
    expect(status).toEqual(replyOf(device.renumber(statusReply, 1)));
    expect(warnings.some((w) => JSON.stringify(w.obj).includes('N0 BADFRAME'))).toBe(true);

    for (const turn of errorTurns) {
      const request = frameOf(turn.host!);
      const answer = frameOf(turn.device[0]!);
      const reply = await client.request(request.verb, request.args);
      expect(reply).toMatchObject({ ok: false, code: Number(answer.args.code), name: answer.args.name });
    }
    expect(device.received.slice(2)).toEqual(errorTurns.map((t) => t.host));
    await client.close();
  });
});
