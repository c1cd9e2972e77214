import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-event.ts';
import { TraceView } from './trace-view.ts';

const STP = '000.00.15.H49';
const SYT = '000.00.16.H49';
const accepted = (hubId: string, id: string, s: number, source = STP): AuditEvent => ({
  kind: 'accepted',
  hubId,
  at: new Date(Date.UTC(2025, 6, 14, 8, 0, s)).toISOString(),
  source: `urn:lgsp:agency:${source}`,
  id,
  type: 'vn.gov.document.sent',
  subject: 's',
  connector: 'qn-stp-eoffice',
});
const routed = (hubId: string, agencies: string[], unreachable: string[] = []): AuditEvent => ({
  kind: 'routed',
  hubId,
  at: '2025-07-14T08:01:00.000Z',
  recipients: agencies.map((agency) => ({ connector: `c-${agency}`, agency })),
  unreachable,
});

describe('TraceView', () => {
  it('traces what it was fed, and nothing for an id it does not know or never saw accepted', () => {
    const view = new TraceView();
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(routed('h1', ['A1', 'A2']));
    view.apply(routed('h-orphan', ['A1']));
    expect(view.trace('h1')).toMatchObject({ hubId: 'h1', message: { id: 'doc-1' }, summary: '2 recipients: 2 pending' });
    expect(view.trace('h-orphan')).toBeUndefined();
    expect(view.trace('nope')).toBeUndefined();
  });

  it('knows which recipient connectors a message was delivered to, and no others', () => {
    const view = new TraceView();
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(routed('h1', ['A1', 'A2']));
    view.apply({
      kind: 'retried',
      hubId: 'h1',
      at: '2025-07-14T08:01:01.000Z',
      connector: 'c-A2',
      agency: 'A2',
      attempt: 1,
      reason: 'HTTP 503',
      nextAttemptAt: '2025-07-14T08:01:06.000Z',
    });
    view.apply({ kind: 'delivered', hubId: 'h1', at: '2025-07-14T08:01:02.000Z', connector: 'c-A1', agency: 'A1', attempt: 1, latencyMs: 5 });
    expect([view.delivered('h1', 'c-A1'), view.delivered('h1', 'c-A2'), view.delivered('h2', 'c-A1')]).toEqual([true, false, false]);
  });

  it("hands each replayed event to onReplayed (the dead-letter view's marks), and no other kind", () => {
    const replayed: string[] = [];
    const view = new TraceView({ onReplayed: (e) => replayed.push(`${e.deadLetter}@${e.at}`) });
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(routed('h1', ['A1']));
    view.apply({ kind: 'replayed', hubId: 'h1', at: '2025-07-14T09:00:00.000Z', connector: 'c-A1', agency: 'A1', deadLetter: '2:17' });
    expect(replayed).toEqual(['2:17@2025-07-14T09:00:00.000Z']);
  });

  it('shows a message to its sending agency and its recipient agencies only', () => {
    const view = new TraceView();
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(routed('h1', ['A1'], ['X9']));
    expect([STP, 'A1', SYT, 'X9'].map((agency) => view.visibleTo('h1', agency))).toEqual([true, true, false, false]);
    expect(view.visibleTo('unknown', STP)).toBe(false);
    view.apply(routed('h-orphan', [STP]));
    expect(view.visibleTo('h-orphan', STP)).toBe(false);
  });

  it('finds the original of a reply: the message with that id addressed to the replier, else the latest', () => {
    const view = new TraceView();
    view.apply(accepted('h-stp', 'doc-1', 0, STP));
    view.apply(routed('h-stp', ['A1']));
    view.apply(accepted('h-syt', 'doc-1', 5, SYT)); // same CloudEvents id from another source, later
    view.apply(routed('h-syt', ['A2'], ['A3']));
    expect(view.findOriginal('doc-1', 'A1')).toEqual({ hubId: 'h-stp', sourceAgency: STP });
    expect(view.findOriginal('doc-1', 'A3')).toEqual({ hubId: 'h-syt', sourceAgency: SYT });
    expect(view.findOriginal('doc-1', 'A9')).toEqual({ hubId: 'h-syt', sourceAgency: SYT });
    expect(view.findOriginal('doc-2', 'A1')).toBeUndefined();
  });

  it('keeps at most maxMessages hub ids, dropping the least recently touched first, index included', () => {
    const view = new TraceView({ maxMessages: 2 });
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(accepted('h2', 'doc-2', 1));
    view.apply(routed('h1', ['A1'])); // h1 touched again: h2 is now the oldest
    view.apply(accepted('h3', 'doc-3', 2));
    expect([view.trace('h1') !== undefined, view.trace('h2') !== undefined, view.trace('h3') !== undefined, view.size]).toEqual([true, false, true, 2]);
    expect(view.findOriginal('doc-2', 'A1')).toBeUndefined();
    expect(view.findOriginal('doc-1', 'A1')).toEqual({ hubId: 'h1', sourceAgency: STP });
  });
});

describe('TraceView, for sending rights', () => {
  it('knows whether a reply’s sender, by agency or by connector, was routed the original', () => {
    const view = new TraceView();
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(routed('h1', ['A1'], ['X9']));
    expect(view.routedTo('doc-1', 'A1', 'any')).toEqual({ sourceAgency: STP });
    expect(view.routedTo('doc-1', 'relayed-agency', 'c-A1')).toEqual({ sourceAgency: STP });
    expect(view.routedTo('doc-1', 'X9', 'c-X9')).toBeUndefined(); // addressed, never routed
    expect(view.routedTo('doc-1', SYT, 'c-SYT')).toBeUndefined();
    expect(view.routedTo('doc-2', 'A1', 'c-A1')).toBeUndefined();
  });

  it('lists the agencies of the messages about a subject, of the types asked, and forgets evicted ones', () => {
    const view = new TraceView({ maxMessages: 2 });
    view.apply(accepted('h1', 'doc-1', 0));
    view.apply(routed('h1', ['A1'], ['X9']));
    view.apply({ ...accepted('h2', 'st-1', 1, 'A1'), type: 'vn.gov.document.status' } as AuditEvent);
    expect(view.agenciesAbout('s', (t) => t === 'vn.gov.document.sent')).toEqual(new Set([STP, 'A1', 'X9']));
    expect(view.agenciesAbout('s', (t) => t === 'vn.gov.document.status')).toEqual(new Set(['A1']));
    expect(view.agenciesAbout('other', () => true)).toEqual(new Set());
    view.apply(accepted('h3', 'doc-3', 2));
    view.apply(accepted('h4', 'doc-4', 3));
    expect(view.agenciesAbout('s', (t) => t === 'vn.gov.document.sent')).toEqual(new Set([STP]));
  });
});
