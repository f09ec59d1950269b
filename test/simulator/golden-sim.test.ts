// The simulator against the golden transcripts of docs/robot-protocol.md §10: a fresh simulator of
// each block's model at scale 0 answers every `>` line with exactly the `<` lines that follow,
// checksums included. The driver is checked against the same lines elsewhere, separately.
import { afterEach, describe, expect, it } from 'vitest';
import { readGoldenTranscripts, turns } from '../support/golden-transcripts.ts';
import { startRig, type Rig } from './harness.ts';

const transcripts = readGoldenTranscripts();
let rig: Rig | null = null;

afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe('simulator reproduces the golden transcripts', () => {
  it('has transcripts to check', () => {
    expect(transcripts.length).toBeGreaterThanOrEqual(4);
  });

  for (const transcript of transcripts) {
    it(transcript.name, async () => {
      rig = await startRig({ model: transcript.model, keepHello: transcript.name === 'session-open' });
      for (const turn of turns(transcript)) {
        if (turn.host !== null) rig.host.writeRaw(turn.host);
        const got = await rig.host.take(turn.device.length);
        expect(got, `after ${turn.host ?? 'opening the link'}`).toEqual(turn.device);
      }
      // Nothing more: a PING's reply is the very next line.
      rig.host.setSeq(1000);
      const { reply, events } = await rig.host.request('PING');
      expect(events).toEqual([]);
      expect(reply.verb).toBe('OK');
    });
  }
});
