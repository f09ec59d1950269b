import { describe, expect, it } from 'vitest';
import { negotiate, type AssociationPolicy, type AssociationRequest, type ProposedPresentationContext } from '../../src/dicom/negotiation.ts';
import { STORAGE_SOP_CLASSES } from '../../src/dicom/sop-classes.ts';

// Written out rather than imported, so a typo in uid.ts cannot hide here.
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATE = '1.2.840.10008.1.2.1.99';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';
const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

const policy: AssociationPolicy = { aeTitles: ['DISCROBOT'], acceptStructuredReports: false, maxPduLength: 16384 };

function request(contexts: ProposedPresentationContext[], overrides: Partial<AssociationRequest> = {}): AssociationRequest {
  return {
    calledAeTitle: 'DISCROBOT',
    callingAeTitle: 'STORESCU',
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    maxPduLength: 16384,
    presentationContexts: contexts,
    ...overrides,
  };
}

const pc = (id: number, abstractSyntax: string, ...transferSyntaxes: string[]): ProposedPresentationContext => ({ id, abstractSyntax, transferSyntaxes });

function accepted(req: AssociationRequest, p: AssociationPolicy = policy) {
  const result = negotiate(req, p);
  if (result.kind !== 'accept') throw new Error(`expected accept, got ${JSON.stringify(result)}`);
  return result;
}

describe('transfer syntax choice', () => {
  it('looks at every proposed syntax: [BigEndian, ExplicitLE, ImplicitLE] gets Explicit VR LE (the dcmjs-dimse README trap)', () => {
    expect(accepted(request([pc(1, CT, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE)])).contexts).toEqual([
      { id: 1, abstractSyntax: CT, result: 0, transferSyntax: EXPLICIT_LE },
    ]);
  });

  it('prefers Explicit LE > Implicit LE > Explicit BE whatever the proposal order', () => {
    const result = accepted(
      request([pc(1, CT, IMPLICIT_LE, EXPLICIT_LE), pc(3, CT, EXPLICIT_BE, IMPLICIT_LE), pc(5, CT, EXPLICIT_BE), pc(7, CT, JPEG_BASELINE, IMPLICIT_LE)]),
    );
    expect(result.contexts.map((c) => c.transferSyntax)).toEqual([EXPLICIT_LE, IMPLICIT_LE, EXPLICIT_BE, IMPLICIT_LE]);
  });

  it('answers 4 (transfer syntaxes not supported) when only compressed or deflated syntaxes are proposed', () => {
    const result = accepted(request([pc(1, CT, JPEG_BASELINE, JPEG_LOSSLESS), pc(3, CT, DEFLATE), pc(5, CT), pc(7, VERIFICATION, IMPLICIT_LE)]));
    expect(result.contexts.slice(0, 3)).toEqual([
      { id: 1, abstractSyntax: CT, result: 4 },
      { id: 3, abstractSyntax: CT, result: 4 },
      { id: 5, abstractSyntax: CT, result: 4 },
    ]);
  });

  it('ignores the NUL padding a UID may carry on the wire', () => {
    expect(accepted(request([pc(1, `${VERIFICATION}\0`, `${IMPLICIT_LE}\0`)])).contexts).toEqual([
      { id: 1, abstractSyntax: VERIFICATION, result: 0, transferSyntax: IMPLICIT_LE },
    ]);
  });
});

describe('abstract syntaxes', () => {
  it('answers 3 (abstract syntax not supported) for a class we do not store, and still accepts the rest', () => {
    const result = accepted(request([pc(1, '1.2.840.10008.5.1.4.1.2.2.1', IMPLICIT_LE), pc(3, CT, IMPLICIT_LE)]));
    expect(result.contexts.map((c) => [c.id, c.result])).toEqual([
      [1, 3],
      [3, 0],
    ]);
  });

  it('accepts Verification', () => {
    expect(accepted(request([pc(1, VERIFICATION, IMPLICIT_LE)])).contexts[0]?.result).toBe(0);
  });

  it('refuses structured reports when they are off and accepts them when on (statement Table 5)', () => {
    const req = request([pc(1, CT, IMPLICIT_LE), pc(3, COMPREHENSIVE_SR, EXPLICIT_LE)]);
    expect(accepted(req).contexts[1]).toEqual({ id: 3, abstractSyntax: COMPREHENSIVE_SR, result: 3 });
    expect(accepted(req, { ...policy, acceptStructuredReports: true }).contexts[1]).toEqual({
      id: 3,
      abstractSyntax: COMPREHENSIVE_SR,
      result: 0,
      transferSyntax: EXPLICIT_LE,
    });
  });

  it('accepts every class of the SOP class table, retired and private ones included, and SR exactly when enabled', () => {
    const contexts = STORAGE_SOP_CLASSES.map((c, i) => pc(2 * i + 1, c.uid, IMPLICIT_LE));
    const off = accepted(request(contexts)).contexts;
    const on = accepted(request(contexts), { ...policy, acceptStructuredReports: true }).contexts;
    STORAGE_SOP_CLASSES.forEach((c, i) => {
      expect([c.uid, off[i]?.result]).toEqual([c.uid, c.kind === 'structured-report' ? 3 : 0]);
      expect([c.uid, on[i]?.result]).toEqual([c.uid, 0]);
    });
  });

  it('gives every proposed context an answer, in proposal order', () => {
    const ids = [1, 3, 5, 7, 9];
    const result = accepted(request([pc(1, CT, IMPLICIT_LE), pc(3, '1.2.3', IMPLICIT_LE), pc(5, CT, JPEG_BASELINE), pc(7, VERIFICATION), pc(9, CT, EXPLICIT_LE)]));
    expect(result.contexts.map((c) => c.id)).toEqual(ids);
    expect(result.contexts.map((c) => c.result)).toEqual([0, 3, 4, 4, 0]);
  });
});

describe('association acceptance', () => {
  it('rejects an unknown called AE title with 1/1/7 (PS3.8, not the statement\'s 3)', () => {
    const result = negotiate(request([pc(1, CT, IMPLICIT_LE)], { calledAeTitle: 'OTHER' }), policy);
    expect(result).toMatchObject({ kind: 'reject', result: 1, source: 1, reason: 7 });
  });

  it('compares AE titles case-sensitively, ignoring the space padding', () => {
    expect(negotiate(request([pc(1, CT, IMPLICIT_LE)], { calledAeTitle: 'discrobot' }), policy)).toMatchObject({ kind: 'reject', reason: 7 });
    expect(negotiate(request([pc(1, CT, IMPLICIT_LE)], { calledAeTitle: 'DISCROBOT       ' }), policy).kind).toBe('accept');
    expect(negotiate(request([pc(1, CT, IMPLICIT_LE)], { calledAeTitle: 'ARCHIVE' }), { ...policy, aeTitles: ['DISCROBOT', ' ARCHIVE '] }).kind).toBe('accept');
  });

  it('accepts any called AE title when no AE title is configured', () => {
    expect(negotiate(request([pc(1, CT, IMPLICIT_LE)], { calledAeTitle: 'ANY-SCP' }), { ...policy, aeTitles: [] }).kind).toBe('accept');
  });

  it('ignores the calling AE title', () => {
    expect(negotiate(request([pc(1, CT, IMPLICIT_LE)], { callingAeTitle: '' }), policy).kind).toBe('accept');
    expect(negotiate(request([pc(1, CT, IMPLICIT_LE)], { callingAeTitle: 'DISCROBOT' }), policy).kind).toBe('accept');
  });

  it('rejects another application context name with 1/1/2', () => {
    const result = negotiate(request([pc(1, CT, IMPLICIT_LE)], { applicationContextName: '1.2.3.4' }), policy);
    expect(result).toMatchObject({ kind: 'reject', result: 1, source: 1, reason: 2 });
  });

  it('rejects with 1/1/1 when no presentation context is acceptable', () => {
    const result = negotiate(request([pc(1, CT, JPEG_BASELINE), pc(3, '1.2.3', IMPLICIT_LE)]), policy);
    expect(result).toMatchObject({ kind: 'reject', result: 1, source: 1, reason: 1 });
    expect(negotiate(request([]), policy)).toMatchObject({ kind: 'reject', result: 1, source: 1, reason: 1 });
  });

  it('rejects a request that proposes one context ID twice with 1/2/1 (malformed: ACSE provider, no reason)', () => {
    const result = negotiate(request([pc(1, CT, IMPLICIT_LE), pc(1, VERIFICATION, IMPLICIT_LE)]), policy);
    expect(result).toMatchObject({ kind: 'reject', result: 1, source: 2, reason: 1 });
  });

  it('explains each rejection for the logs', () => {
    const result = negotiate(request([pc(1, CT, IMPLICIT_LE)], { calledAeTitle: 'OTHER' }), policy);
    expect(result.kind === 'reject' && result.explanation).toContain("'OTHER'");
  });
});

describe('max PDU length', () => {
  it('always advertises our own limit and caps what we send at it', () => {
    expect(accepted(request([pc(1, CT, IMPLICIT_LE)], { maxPduLength: 65536 }))).toMatchObject({ maxPduLength: 16384, peerMaxPduLength: 16384 });
    expect(accepted(request([pc(1, CT, IMPLICIT_LE)], { maxPduLength: 8192 }))).toMatchObject({ maxPduLength: 16384, peerMaxPduLength: 8192 });
  });

  it('treats the peer\'s 0 (unlimited) as our own limit and never advertises 0', () => {
    expect(accepted(request([pc(1, CT, IMPLICIT_LE)], { maxPduLength: 0 }))).toMatchObject({ maxPduLength: 16384, peerMaxPduLength: 16384 });
  });
});
