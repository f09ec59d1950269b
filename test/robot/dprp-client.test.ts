// The driver's behaviour when the line misbehaves (docs/robot-protocol.md §3): lost replies,
// garbage, stray replies, bad checksums, silence, and reconnecting with backoff through the link
// actor. Timeouts are configured small; every wait is on an event, never on the clock.
import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { createActor, sendTo, setup, type AnyActorRef } from 'xstate';
import pino from 'pino';
import { encodeFrame } from '../../src/robot/dprp/frame.ts';
import { DprpClient, DprpLinkError, DprpTimeoutError, type DprpClientOptions } from '../../adapters/robot/dprp-client.ts';
import { dprpLinkLogic } from '../../adapters/robot/dprp-link.ts';
import { LinkChannel } from '../../adapters/robot/link-channel.ts';
import { streamTransport } from '../../adapters/robot/transport.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';
import type { DprpLogger } from '../../adapters/robot/dprp-logger.ts';
import type { LinkCommand, LinkEvent } from '../../machines/robot-link.ts';
import { readGoldenTranscripts } from '../support/golden-transcripts.ts';
import { FakeDprpDevice, goldenHello, replayByVerb, type Responder } from '../support/fake-dprp-device.ts';

const transcripts = readGoldenTranscripts();
const goldenStatusReply = transcripts.find((t) => t.name === 'session-open')!.lines.find((l) => l.text.startsWith('R4 OK state='))!.text;
/** Short enough to keep the suite quick; the in-process device answers within the same tick anyway. */
const QUICK: DprpClientOptions = { queryTimeoutMs: 100, acceptTimeoutMs: 100, pingTimeoutMs: 100, silenceMs: 0 };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function recordingLogger() {
  const warnings: string[] = [];
  const logger: DprpLogger = { debug: () => {}, info: () => {}, warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`), error: () => {} };
  return { logger, warnings };
}

function connect(options: DprpClientOptions = {}) {
  const [hostEnd, deviceEnd] = createDuplexPair();
  const device = new FakeDprpDevice(deviceEnd);
  const client = new DprpClient(streamTransport(hostEnd), { ...QUICK, ...options });
  cleanups.push(() => client.close());
  return { device, client };
}

const ok = (seq: number, args: Record<string, string> = {}) => encodeFrame({ kind: 'R', seq, verb: 'OK', args });
const query = (seq: number, verb: string, args: Record<string, string> = {}) => encodeFrame({ kind: 'Q', seq, verb, args });

/** Answers by verb; a verb not listed gets no answer at all. */
function answering(byVerb: Record<string, (seq: number, device: FakeDprpDevice) => string[]>): Responder {
  return (_line, request, device) => (request && byVerb[request.verb] ? byVerb[request.verb]!(request.seq, device) : []);
}

describe('DprpClient on a bad line', () => {
  it('repeats a line whose reply was lost, with the same seq, and takes the answer to the repeat', async () => {
    const { device, client } = connect();
    let asked = 0;
    device.respondWith(answering({ MEDIA_INFO: (seq) => (++asked === 1 ? [] : [ok(seq, { type: 'DVD-R', id: 'SIM-000001', blank: '1' })]) }));
    const reply = await client.request('MEDIA_INFO', { drive: '0' });
    expect(reply).toEqual({ ok: true, fields: { type: 'DVD-R', id: 'SIM-000001', blank: '1' } });
    expect(device.received).toEqual([query(1, 'MEDIA_INFO', { drive: '0' }), query(1, 'MEDIA_INFO', { drive: '0' })]);
  });

  it('waits for a robotic verb by the acceptance timeout and for a query by the query timeout', async () => {
    const robotic = connect({ queryTimeoutMs: 60_000, acceptTimeoutMs: 20 });
    let loads = 0;
    robotic.device.respondWith(answering({ LOAD_DRIVE: (seq) => (++loads === 1 ? [] : [ok(seq, { op: '1' })]) }));
    expect(await robotic.client.request('LOAD_DRIVE', { drive: '0', from: '1', clear: '0' })).toEqual({ ok: true, fields: { op: '1' } });
    expect(loads).toBe(2);

    const queried = connect({ queryTimeoutMs: 20, acceptTimeoutMs: 60_000 });
    let infos = 0;
    queried.device.respondWith(answering({ GET_INFO: (seq) => (++infos === 1 ? [] : [ok(seq, { model: 'DP-XRP' })]) }));
    expect(await queried.client.request('GET_INFO')).toEqual({ ok: true, fields: { model: 'DP-XRP' } });
    expect(infos).toBe(2);
  });

  it('when the repeat is lost too: PING, then GET_STATUS as the truth, and the request fails naming verb and seq', async () => {
    const { device, client } = connect();
    device.respondWith(answering({ PING: (seq) => [ok(seq, { t: '5' })], GET_STATUS: (seq, d) => [d.renumber(goldenStatusReply, seq)] }));
    const resynced = firstValueFrom(client.resync$);
    const failure = client.request('LOAD_PRINTER', { from: '1' }).then(
      () => null,
      (err: unknown) => err,
    );
    const err = await failure;
    expect(err).toBeInstanceOf(DprpTimeoutError);
    expect((err as Error).message).toContain('LOAD_PRINTER (Q1)');
    expect(await resynced).toMatchObject({ state: 0, syserr: 0, phase: 'IDLE', op: 0, bins: [0, 25], tray: 'I', picker: 'X', cover: 0 });
    expect(device.received).toEqual([
      query(1, 'LOAD_PRINTER', { from: '1' }),
      query(1, 'LOAD_PRINTER', { from: '1' }),
      query(2, 'PING'),
      query(3, 'GET_STATUS'),
    ]);
    expect(client.isEnded).toBe(false);
  });

  it('drops garbage between lines and still matches replies to requests, in any order', async () => {
    const { logger, warnings } = recordingLogger();
    const { device, client } = connect({ logger, queryTimeoutMs: 60_000 });
    const info = client.request('GET_INFO');
    const media = client.request('MEDIA_INFO', { drive: '1' });
    await device.nextLine();
    await device.nextLine();
    await device.sendBytes(Buffer.from([0x00, 0xff, 0x13, 0x7e, 0x0a]));
    await device.send(ok(2, { type: 'BD-R', id: 'x', blank: '0' }));
    await device.sendBytes(Buffer.concat([Buffer.alloc(3000, 0x55), Buffer.from('\r\n')]));
    await device.send('R1 OK model=DP-XRP *0000', 'R1 OK model', ok(1, { model: 'DP-XRP' }));
    expect(await media).toEqual({ ok: true, fields: { type: 'BD-R', id: 'x', blank: '0' } });
    expect(await info).toEqual({ ok: true, fields: { model: 'DP-XRP' } });
    expect(warnings.filter((w) => w.startsWith('dropped a DPRP line'))).toHaveLength(4);
    expect(device.received).toHaveLength(2);
  });

  it('logs through a pino logger: a dropped line is a warning naming the problem', async () => {
    const records: Array<Record<string, unknown>> = [];
    const logger: DprpLogger = pino({ level: 'debug' }, { write: (text: string) => records.push(JSON.parse(text) as Record<string, unknown>) });
    const { device, client } = connect({ logger, queryTimeoutMs: 60_000 });
    device.respondWith(answering({ PING: (seq) => ['R1 OK *FFFF', ok(seq, { t: '1' })] }));
    expect(await client.request('PING')).toEqual({ ok: true, fields: { t: '1' } });
    expect(records).toContainEqual(expect.objectContaining({ level: 40, error: 'BADCRC', line: 'R1 OK *FFFF', msg: 'dropped a DPRP line that cannot be trusted' }));
  });

  it('ignores a reply whose seq matches no request in flight', async () => {
    const { logger, warnings } = recordingLogger();
    const { device, client } = connect({ logger, queryTimeoutMs: 60_000 });
    device.respondWith(answering({ ERROR_STRING: (seq) => [ok(seq + 98, { text: 'stale' }), ok(seq, { text: 'Cover open' })] }));
    expect(await client.request('ERROR_STRING', { code: '3' })).toEqual({ ok: true, fields: { text: 'Cover open' } });
    expect(warnings.some((w) => w.startsWith('DPRP reply matches no request') && w.includes('R99 OK'))).toBe(true);
  });

  it('resends a line answered with N BADCRC, a bounded number of times, then reports DPRP_BADCRC', async () => {
    const { device, client } = connect({ queryTimeoutMs: 60_000, maxCrcResends: 3 });
    device.respondWith((_line, request) => (request ? [encodeFrame({ kind: 'N', seq: request.seq, verb: 'BADCRC', args: {} })] : []));
    const reply = await client.request('GET_STATUS');
    expect(reply).toEqual({ ok: false, code: 601, name: 'DPRP_BADCRC', fields: {} });
    expect(device.received).toEqual(Array(4).fill(query(1, 'GET_STATUS')));
  });

  it('numbers requests on from lastSeq and wraps 65535 to 1', async () => {
    const { device, client } = connect({ lastSeq: 65534 });
    device.respondWith((_line, request) => (request ? [ok(request.seq)] : []));
    await client.request('PING');
    await client.request('PING');
    expect(device.received).toEqual([query(65535, 'PING'), query(1, 'PING')]);
    expect(client.lastSeq).toBe(1);
  });

  it('after silence it sends PING; an answered PING keeps the link', async () => {
    const { device, client } = connect({ silenceMs: 20 });
    device.respondWith(answering({ PING: (seq) => [ok(seq, { t: String(seq) })] }));
    expect(await device.nextLine()).toBe(query(1, 'PING'));
    expect(await device.nextLine()).toBe(query(2, 'PING'));
    expect(client.isEnded).toBe(false);
  });

  it('after silence and an unanswered PING the link is dead: requests in flight fail, the transport closes', async () => {
    const { device, client } = connect({ silenceMs: 20, pingTimeoutMs: 20, acceptTimeoutMs: 60_000 });
    const pending = client.request('UNLOAD_PRINTER', { to: '0' }).then(
      () => null,
      (err: unknown) => err,
    );
    const death = await firstValueFrom(client.dead$);
    expect(death.reason).toMatch(/silent.*PING/);
    const err = await pending;
    expect(err).toBeInstanceOf(DprpLinkError);
    expect((err as Error).message).toContain('UNLOAD_PRINTER, Q1');
    expect(device.received).toEqual([query(1, 'UNLOAD_PRINTER', { to: '0' }), query(2, 'PING')]);
    await device.ended;
    await expect(client.request('PING')).rejects.toThrow(/closed/);
  });

  it('a device that closes its end kills the link', async () => {
    const { device, client } = connect({ queryTimeoutMs: 60_000 });
    const pending = client.request('GET_INFO');
    await device.nextLine();
    device.close();
    expect((await firstValueFrom(client.dead$)).reason).toMatch(/transport ended/);
    await expect(pending).rejects.toThrow(DprpLinkError);
  });
});

/** A parent for the link actor: forwards link.send to it and records everything it sends back. */
function startLink(logic: ReturnType<typeof dprpLinkLogic>) {
  const seen: LinkEvent[] = [];
  const waiters: Array<() => void> = [];
  const parent = setup({
    types: { events: {} as LinkEvent | LinkCommand },
    actors: { link: logic },
  }).createMachine({
    invoke: { id: 'link', src: 'link', input: { robot: 'robot-1' } },
    on: {
      'link.send': { actions: sendTo('link', ({ event }) => event) },
      '*': {
        actions: ({ event }) => {
          seen.push(event as LinkEvent);
          for (const wake of waiters.splice(0)) wake();
        },
      },
    },
  });
  const actor = createActor(parent).start();
  /** Resolves with the index of the first event from `from` on that satisfies `test`. */
  const until = (test: (e: LinkEvent) => boolean, from = 0): Promise<number> =>
    new Promise((resolve) => {
      const check = () => {
        const index = seen.findIndex((e, i) => i >= from && test(e));
        if (index >= 0) resolve(index);
        else waiters.push(check);
      };
      check();
    });
  return { actor: actor as AnyActorRef, seen, until };
}

describe('dprpLinkLogic', () => {
  it('reconnects with backoff, reports the device, forwards requests, and closes the link when stopped', async () => {
    let opens = 0;
    const devices: FakeDprpDevice[] = [];
    const replay = replayByVerb(transcripts);
    const channel = new LinkChannel();
    const { logger, warnings } = recordingLogger();
    const logic = dprpLinkLogic({
      logger,
      clientName: 'discrobot/0.1.0',
      helloWaitMs: 5_000,
      backoff: { initialMs: 5, maxMs: 20 },
      client: { queryTimeoutMs: 100, acceptTimeoutMs: 5_000, pingTimeoutMs: 5_000, silenceMs: 0 },
      channel,
      open: async () => {
        opens += 1;
        if (opens <= 2) throw new Error(`no device on the line (open ${opens})`);
        const [hostEnd, deviceEnd] = createDuplexPair();
        // This device never answers SIM_SNAPSHOT, to let a request time out.
        const device = new FakeDprpDevice(deviceEnd).respondWith((line, request, d) => (request?.verb === 'SIM_SNAPSHOT' ? [] : replay(line, request, d)));
        devices.push(device);
        await device.send(goldenHello(transcripts));
        return streamTransport(hostEnd);
      },
    });
    const { actor, seen, until } = startLink(logic);
    cleanups.push(() => actor.stop());

    const up = await until((e) => e.type === 'link.up');
    expect(seen.slice(0, up).map((e) => e.type)).toEqual(['link.connecting', 'link.down', 'link.connecting', 'link.down', 'link.connecting']);
    expect(seen.filter((e) => e.type === 'link.connecting').map((e) => e.type === 'link.connecting' && e.attempt)).toEqual([1, 2, 3]);
    expect(seen[1]).toMatchObject({ reason: expect.stringContaining('no device on the line (open 1)') });
    expect(warnings.some((w) => w.includes('attempt 1 failed') && w.includes('"robot":"robot-1"'))).toBe(true);
    const linkUp = seen[up] as Extract<LinkEvent, { type: 'link.up' }>;
    expect(linkUp.info).toMatchObject({ model: 'DP-XRP', impl: 'sim', drives: 2, bins: 2 });
    expect(linkUp.drives.map((d) => d.dev)).toEqual(['sim:0', 'sim:1']);
    expect(linkUp.status.bins).toEqual([0, 25]);
    expect(channel.isUp).toBe(true);

    // A robotic verb: the reply, then its STATE/BINS events merged into the status, then OPDONE.
    const sentAt = seen.length;
    actor.send({ type: 'link.send', ref: 7, verb: 'LOAD_DRIVE', args: { drive: '0', from: '1', clear: '1' } });
    const done = await until((e) => e.type === 'device.opDone', sentAt);
    const afterSend = seen.slice(sentAt, done + 1);
    expect(afterSend[0]).toEqual({ type: 'link.reply', ref: 7, ok: true, fields: { op: '1' } });
    const states = afterSend.filter((e) => e.type === 'device.state').map((e) => (e.type === 'device.state' ? e.status : null));
    expect(states.map((s) => [s!.state, s!.phase, s!.op, s!.bins.join(',')])).toEqual([
      [1, 'PICKING', 1, '0,25'],
      [1, 'LOADING_DRIVE', 1, '0,25'],
      [0, 'IDLE', 0, '0,25'],
      [0, 'IDLE', 0, '0,24'],
    ]);
    expect(states.every((s) => s!.tray === 'I' && s!.picker === 'X' && s!.cover === 0)).toBe(true);
    expect(afterSend.at(-1)).toEqual({ type: 'device.opDone', op: 1, result: 'OK' });

    // An ERR reply keeps its code and name; a lost reply becomes 605 and the resync reports the status.
    actor.send({ type: 'link.send', ref: 8, verb: 'FLY_TO_MOON', args: {} });
    const refused = await until((e) => e.type === 'link.reply' && e.ref === 8);
    expect(seen[refused]).toEqual({ type: 'link.reply', ref: 8, ok: false, code: 602, name: 'DPRP_UNKNOWN_VERB', fields: {} });
    const lostAt = seen.length;
    actor.send({ type: 'link.send', ref: 9, verb: 'SIM_SNAPSHOT', args: {} });
    const lost = await until((e) => e.type === 'link.reply' && e.ref === 9, lostAt);
    expect(seen[lost]).toMatchObject({ type: 'link.reply', ref: 9, ok: false, code: 605, name: 'DPRP_TIMEOUT', fields: { detail: expect.stringContaining('SIM_SNAPSHOT') } });
    await until((e) => e.type === 'device.state', lostAt);

    // The device goes away: down, then a new connection (the numbering goes on) and a new up.
    const downAt = seen.length;
    devices[0]!.close();
    const up2 = await until((e) => e.type === 'link.up', downAt);
    expect(seen.slice(downAt, up2 + 1).map((e) => e.type)).toEqual(['link.down', 'link.connecting', 'link.up']);
    expect(seen[downAt + 1]).toEqual({ type: 'link.connecting', attempt: 1 });
    expect(devices).toHaveLength(2);
    expect(devices[1]!.received[0]).toMatch(/^Q\d+ HELLO proto=DPRP\/1 client=discrobot\/0\.1\.0 \*/);
    expect(devices[1]!.received[0]).not.toMatch(/^Q1 /);
    expect(await channel.request('MEDIA_INFO', { drive: '0' })).toMatchObject({ ok: true, fields: { type: 'DVD-R' } });

    actor.stop();
    await devices[1]!.ended;
    expect(channel.isUp).toBe(false);
  });
});
