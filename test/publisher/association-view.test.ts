// The associations in progress as GET /api/associations shows them (src/publisher/association-view.ts):
// only the publisher's `association:` children that are still running, with the time each was first
// seen (kept while it lives, forgotten once gone), the rate from it, and the SOP class by name.
import type { AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { AssociationContext } from '../../machines/association.machine.ts';
import { createAssociationViews, ratePerSecond } from '../../src/publisher/association-view.ts';

function association(id: string, overrides: Partial<AssociationContext> = {}, value: unknown = { established: 'idle' }, status = 'active'): AnyActorRef {
  const context: AssociationContext = {
    id,
    peer: { address: '10.0.0.7', port: 40001 },
    listener: { host: '0.0.0.0', port: 104 },
    policy: { aeTitles: [], acceptStructuredReports: false, maxPduLength: 16384, artimTimeoutMs: 1, idleTimeoutMs: 1, releaseTimeoutMs: 1, shutdownGraceMs: 1 },
    request: { calledAeTitle: 'DISCROBOT', callingAeTitle: 'CT01', applicationContextName: '1.2.840.10008.3.1.1.1', maxPduLength: 16384 },
    negotiation: null,
    counters: { stored: 0, failed: 0, bytes: 0, echoes: 0 },
    currentStore: null,
    outcome: null,
    ...overrides,
  };
  return { getSnapshot: () => ({ value, context, status }) } as unknown as AnyActorRef;
}

const other = { getSnapshot: () => { throw new Error('not an association: never asked'); } } as unknown as AnyActorRef;

describe('ratePerSecond', () => {
  it('is stored objects per second since the start, to two decimals, and 0 in the first instant', () => {
    expect(ratePerSecond(10, 1_000, 5_000)).toBe(2.5);
    expect(ratePerSecond(1, 0, 3_000)).toBe(0.33);
    expect(ratePerSecond(5, 1_000, 1_000)).toBe(0);
  });
});

describe('createAssociationViews', () => {
  it('lists the running associations only, oldest first, with their counts and start', () => {
    let now = 1_000;
    const views = createAssociationViews(() => now);
    const first = association('association:a1', { counters: { stored: 4, failed: 1, bytes: 4096, echoes: 2 } }, { established: { receiving: 'transferring' } });
    views.notice({ 'association:a1': first, 'study:1.2.3': other });
    now = 3_000;
    const children = {
      'association:a2': association('association:a2', { request: null }, 'negotiating'),
      'association:a1': first,
      'association:a3': association('association:a3', {}, 'released', 'done'),
      'job:J1': other,
    };
    expect(views.list(children)).toEqual([
      {
        id: 'a1', peerAddress: '10.0.0.7', peerPort: 40001, callingAeTitle: 'CT01', calledAeTitle: 'DISCROBOT', state: 'established.receiving.transferring',
        startedAtMs: 1_000, stored: 4, failed: 1, bytes: 4096, echoes: 2, ratePerSecond: 2, currentSopClass: null,
      },
      {
        id: 'a2', peerAddress: '10.0.0.7', peerPort: 40001, callingAeTitle: null, calledAeTitle: null, state: 'negotiating',
        startedAtMs: 3_000, stored: 0, failed: 0, bytes: 0, echoes: 0, ratePerSecond: 0, currentSopClass: null,
      },
    ]);
  });

  it('names the SOP class being received, and leaves the name out for a class it does not know', () => {
    const views = createAssociationViews(() => 0);
    const receiving = (uid: string) => ({ 'association:a1': association('association:a1', { currentStore: { messageId: 1, sopClassUid: uid, sopInstanceUid: '9.9' } }) });
    expect(views.list(receiving('1.2.840.10008.5.1.4.1.1.4'))[0]?.currentSopClass).toEqual({ uid: '1.2.840.10008.5.1.4.1.1.4', name: 'MR Image Storage' });
    expect(views.list(receiving('1.2.3.4'))[0]?.currentSopClass).toEqual({ uid: '1.2.3.4', name: null });
  });

  it('forgets an association once it is gone: the same id later starts afresh', () => {
    let now = 1_000;
    const views = createAssociationViews(() => now);
    const children = { 'association:a1': association('association:a1') };
    views.notice(children);
    now = 2_000;
    views.notice({});
    now = 5_000;
    expect(views.list(children)[0]?.startedAtMs).toBe(5_000);
  });
});
