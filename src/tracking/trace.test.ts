import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-event.ts';
import { assembleTrace } from './trace.ts';

const hubId = 'h-1';
const at = (s: number) => new Date(Date.UTC(2025, 6, 14, 8, 0, s)).toISOString();
const accepted: AuditEvent = {
  kind: 'accepted',
  hubId,
  at: at(0),
  source: 'urn:lgsp:agency:000.00.15.H49',
  id: 'doc-1',
  type: 'vn.gov.document.sent',
  subject: 's-1',
  connector: 'qn-stp-eoffice',
  to: '000.00.00.H49,children',
  time: '2025-07-14T15:00:00+07:00',
};
const rcpt = (n: number) => ({ connector: `c${n}`, agency: `A${n}` });
const routed = (n: number, unreachable: string[] = []): AuditEvent => ({
  kind: 'routed',
  hubId,
  at: at(1),
  recipients: Array.from({ length: n }, (_, i) => rcpt(i + 1)),
  unreachable,
});
const delivered = (n: number, s: number, attempt = 1): AuditEvent => ({
  kind: 'delivered',
  hubId,
  at: at(s),
  ...rcpt(n),
  attempt,
  status: 200,
  latencyMs: s * 1000,
});
const retried = (n: number, s: number, attempt: number): AuditEvent => ({
  kind: 'retried',
  hubId,
  at: at(s),
  ...rcpt(n),
  attempt,
  reason: 'HTTP 503',
  status: 503,
  nextAttemptAt: at(s + 5),
});
const dead = (n: number, s: number, attempt: number): AuditEvent => ({
  kind: 'dead-lettered',
  hubId,
  at: at(s),
  ...rcpt(n),
  attempt,
  stage: 'deliver',
  reason: 'HTTP 400: bad payload',
  status: 400,
});
const status = (agency: string, s: number, statusCode: string, statusName?: string): AuditEvent => ({
  kind: 'status-reported',
  hubId,
  at: at(s),
  agency,
  statusCode,
  ...(statusName ? { statusName } : {}),
  statusHubId: `st-${s}`,
});

describe('assembleTrace', () => {
  it('is undefined without the accepted event', () => {
    expect(assembleTrace([routed(2)])).toBeUndefined();
  });

  it('shows an accepted message not routed yet', () => {
    const trace = assembleTrace([accepted])!;
    expect(trace.message).toEqual({
      id: 'doc-1',
      source: 'urn:lgsp:agency:000.00.15.H49',
      type: 'vn.gov.document.sent',
      subject: 's-1',
      time: '2025-07-14T15:00:00+07:00',
      to: '000.00.00.H49,children',
      connector: 'qn-stp-eoffice',
      acceptedAt: at(0),
    });
    expect(trace).toMatchObject({ hubId, recipients: [], unreachable: [], statuses: [], summary: 'accepted, not routed yet' });
    const { hubId: _, ...entry } = accepted;
    expect(trace.timeline).toEqual([entry]);
  });

  it('says why each unreachable agency is, as the router recorded it (nothing for events written before it did)', () => {
    const reason = 'X9 has no connector that accepts vn.gov.document.sent';
    const trace = assembleTrace([accepted, { ...routed(1, ['X9']), unreachableReasons: { X9: reason } } as AuditEvent])!;
    expect(trace).toMatchObject({ unreachable: ['X9'], unreachableReasons: { X9: reason }, summary: '1 recipient: 1 pending; 1 unreachable' });
    expect(trace.timeline[1]).toMatchObject({ kind: 'routed', unreachableReasons: { X9: reason } });
    expect(assembleTrace([accepted, routed(1, ['X9'])])!.unreachableReasons).toEqual({});
  });

  it('follows a fan-out with deliveries, retries, a dead letter and unreachable agencies', () => {
    const trace = assembleTrace([
      accepted,
      routed(7, ['X9']),
      delivered(1, 2),
      delivered(2, 2),
      delivered(3, 3),
      retried(4, 2, 1),
      retried(4, 8, 2),
      dead(5, 4, 1),
      retried(6, 3, 1),
      delivered(6, 9, 2),
    ])!;
    const by = Object.fromEntries(trace.recipients.map((r) => [r.connector, r]));
    expect(by.c1).toEqual({ connector: 'c1', agency: 'A1', state: 'delivered', attempts: 1, deliveredAt: at(2), latencyMs: 2000 });
    expect(by.c4).toEqual({
      connector: 'c4',
      agency: 'A4',
      state: 'retrying',
      attempts: 2,
      nextAttemptAt: at(13),
      lastError: { reason: 'HTTP 503', status: 503, at: at(8) },
    });
    expect(by.c5).toEqual({
      connector: 'c5',
      agency: 'A5',
      state: 'dead',
      attempts: 1,
      lastError: { reason: 'HTTP 400: bad payload', status: 400, stage: 'deliver', at: at(4) },
    });
    expect(by.c6).toMatchObject({ state: 'delivered', attempts: 2, lastError: { reason: 'HTTP 503' } });
    expect(by.c6!.nextAttemptAt).toBeUndefined();
    expect(by.c7).toEqual({ connector: 'c7', agency: 'A7', state: 'pending', attempts: 0 });
    expect(trace.unreachable).toEqual(['X9']);
    expect(trace.summary).toBe('7 recipients: 4 delivered, 1 retrying, 1 dead, 1 pending; 1 unreachable');
    expect(trace.timeline.map((e) => e.kind)).toEqual([
      'accepted',
      'routed',
      'retried',
      'delivered',
      'delivered',
      'retried',
      'delivered',
      'dead-lettered',
      'retried',
      'delivered',
    ]);
  });

  it('puts a replayed dead letter back to pending, keeping its attempts, then delivers it', () => {
    const replayed = (s: number): AuditEvent => ({ kind: 'replayed', hubId, at: at(s), ...rcpt(1), deadLetter: '0:42' });
    const pending = assembleTrace([accepted, routed(1), retried(1, 2, 1), dead(1, 5, 2), replayed(10)])!;
    expect(pending.recipients[0]).toMatchObject({ state: 'pending', attempts: 2, lastError: { stage: 'deliver' } });
    expect(pending.summary).toBe('1 recipient: 1 pending');
    const done = assembleTrace([accepted, routed(1), retried(1, 2, 1), dead(1, 5, 2), replayed(10), delivered(1, 11, 3)])!;
    expect(done.recipients[0]).toMatchObject({ state: 'delivered', attempts: 3, deliveredAt: at(11) });
  });

  it('keeps a delivery delivered when a stale retry or dead letter sorts after it', () => {
    const trace = assembleTrace([accepted, routed(1), delivered(1, 5), retried(1, 6, 1), dead(1, 7, 2), delivered(1, 8, 2)])!;
    expect(trace.recipients[0]).toMatchObject({ state: 'delivered', deliveredAt: at(5), latencyMs: 5000, attempts: 2 });
  });

  it('sorts events that arrive in any order by time, then by kind for equal times', () => {
    const events = [delivered(2, 1), status('A1', 9, '03'), delivered(1, 1), routed(2), accepted];
    const trace = assembleTrace(events)!;
    expect(trace.timeline.map((e) => e.kind)).toEqual(['accepted', 'routed', 'delivered', 'delivered', 'status-reported']);
    expect(trace.recipients.map((r) => r.state)).toEqual(['delivered', 'delivered']);
    expect(assembleTrace([...events].reverse())).toEqual({ ...trace, timeline: expect.any(Array) });
  });

  it('gives each recipient connector of an agency its latest business status, whatever the arrival order', () => {
    const two = { kind: 'routed', hubId, at: at(1), recipients: [rcpt(1), { connector: 'c1b', agency: 'A1' }, rcpt(2), rcpt(3)], unreachable: [] } as const;
    const trace = assembleTrace([
      status('A1', 30, '05', 'Đang xử lý'),
      accepted,
      status('A1', 20, '01'),
      status('A2', 25, '02'),
      two,
      delivered(1, 2),
      delivered(2, 2),
      status('A1', 22, '03'),
      status('Z9', 21, '01'),
    ])!;
    const by = Object.fromEntries(trace.recipients.map((r) => [r.connector, r.businessStatus]));
    expect(by).toEqual({
      c1: { code: '05', name: 'Đang xử lý', at: at(30) },
      c1b: { code: '05', name: 'Đang xử lý', at: at(30) },
      c2: { code: '02', at: at(25) },
      c3: undefined,
    });
    // A status shows the name its event carries (the router names statuses as it writes them), none when it carries none.
    expect(trace.statuses.map((s) => [s.agency, s.code, s.name])).toEqual([
      ['A1', '01', undefined],
      ['Z9', '01', undefined],
      ['A1', '03', undefined],
      ['A2', '02', undefined],
      ['A1', '05', 'Đang xử lý'],
    ]);
    expect(trace.statuses[0]!.statusHubId).toBe('st-20');
    expect(trace.summary).toBe('4 recipients: 2 delivered, 3 received, 2 pending');
  });
});
