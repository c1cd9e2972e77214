import { describe, expect, it } from 'vitest';
import { Metrics } from '../ops/metrics.ts';
import { DeadLetterView, registerDeadLetterGauge } from './dead-letter-view.ts';
import { deadLetterMessage, type DeadLetter } from './dead-letters.ts';

let offset = 0;
/** Feeds `letter` the way the follower does: a record of `lgsp.dead-letters`. */
function feed(view: DeadLetterView, letter: DeadLetter, at: string, partition = 0): string {
  const message = deadLetterMessage(letter, new Date(at));
  const value = message.value === null || message.value === undefined ? null : Buffer.from(message.value);
  const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
  const o = String(offset++);
  view.add({ key: Buffer.from(String(message.key)), value, headers, offset: o, timestamp: String(Date.parse(at)) }, partition);
  return `${partition}:${o}`;
}

const deliver = (connector: string, reason: string, extra: Record<string, string> = {}): DeadLetter => ({
  stage: 'deliver',
  connector,
  reason,
  key: '000.00.16.H49',
  hubId: `hub-${connector}-${reason.length}`,
  original: '{"trichYeu":"Báo cáo tình hình"}',
  headers: {
    ce_id: 'doc-1',
    ce_source: 'urn:lgsp:agency:000.00.15.H49',
    ce_type: 'vn.gov.document.sent',
    ce_subject: 'VB-1',
    lgsp_recipient_agency: '000.00.16.H49',
    lgsp_history: '[{"attempt":1,"at":"2025-07-01T00:00:00Z","outcome":"retry","reason":"503"}]',
    ...extra,
  },
});

function seeded() {
  const view = new DeadLetterView();
  const ids = {
    a: feed(view, deliver('qn-syt', 'HTTP 404 Not Found', { lgsp_dlq_status: '404', lgsp_dlq_response: 'no such inbox' }), '2025-07-01T08:00:00Z'),
    b: feed(view, deliver('qn-syt', 'retries exhausted: timeout'), '2025-07-02T08:00:00Z', 1),
    c: feed(view, deliver('qn-stp', 'HTTP 410 Gone'), '2025-07-03T08:00:00Z'),
    d: feed(
      view,
      { stage: 'decode', connector: 'qn-vdxp', reason: 'edXML: bad header', key: '000.00.15.H49', original: Buffer.from([0xff, 0xfe, 0x00]) },
      '2025-07-04T08:00:00Z',
      2,
    ),
  };
  return { view, ids };
}

describe('DeadLetterView', () => {
  it('shows each letter with its context, newest first', () => {
    const { view, ids } = seeded();
    expect(view.list().map((e) => e.id)).toEqual([ids.d, ids.c, ids.b, ids.a]);
    expect(view.list({ connector: 'qn-syt' }).at(-1)).toEqual({
      id: ids.a,
      stage: 'deliver',
      connector: 'qn-syt',
      reason: 'HTTP 404 Not Found',
      at: '2025-07-01T08:00:00.000Z',
      hubId: 'hub-qn-syt-18',
      recipientAgency: '000.00.16.H49',
      status: 404,
      response: 'no such inbox',
      attempts: [{ attempt: 1, at: '2025-07-01T00:00:00Z', outcome: 'retry', reason: '503' }],
      message: { id: 'doc-1', source: 'urn:lgsp:agency:000.00.15.H49', type: 'vn.gov.document.sent', subject: 'VB-1' },
    });
  });

  it('filters by connector, stage, reason (case-insensitive substring), time range and limit', () => {
    const { view, ids } = seeded();
    const idsOf = (q: Parameters<DeadLetterView['list']>[0]) => view.list(q).map((e) => e.id);
    expect(idsOf({ connector: 'qn-syt' })).toEqual([ids.b, ids.a]);
    expect(idsOf({ stage: 'decode' })).toEqual([ids.d]);
    expect(idsOf({ reason: 'http 4' })).toEqual([ids.c, ids.a]);
    expect(idsOf({ from: '2025-07-02T08:00:00Z', to: '2025-07-03T08:00:00Z' })).toEqual([ids.c, ids.b]);
    expect(idsOf({ limit: 1 })).toEqual([ids.d]);
  });

  it('answers the original as text, or base64 when it is not UTF-8', () => {
    const { view, ids } = seeded();
    expect(view.get(ids.a)?.original).toEqual({ encoding: 'utf8', data: '{"trichYeu":"Báo cáo tình hình"}' });
    expect(view.get(ids.d)?.original).toEqual({ encoding: 'base64', data: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') });
    expect(view.get('9:9')).toBeUndefined();
  });

  it('hides replayed letters unless asked, and counts only pending ones', () => {
    const { view, ids } = seeded();
    expect(view.pendingCountByConnector()).toEqual(
      new Map([
        ['qn-syt', 2],
        ['qn-stp', 1],
        ['qn-vdxp', 1],
      ]),
    );
    view.markReplayed(ids.a, '2025-07-05T00:00:00Z');
    view.markReplayed(ids.c, '2025-07-05T00:00:00Z');
    expect(view.list({ connector: 'qn-syt' }).map((e) => e.id)).toEqual([ids.b]);
    expect(view.list({ connector: 'qn-syt', includeReplayed: true }).at(-1)?.replayed).toEqual({ at: '2025-07-05T00:00:00Z' });
    expect(view.pendingCountByConnector()).toEqual(
      new Map([
        ['qn-syt', 1],
        ['qn-stp', 0],
        ['qn-vdxp', 1],
      ]),
    );
  });

  it('remembers a replay seen before its letter (the two topics are read independently)', () => {
    const view = new DeadLetterView();
    view.markReplayed(`0:${offset}`, '2025-07-05T00:00:00Z');
    const id = feed(view, deliver('qn-syt', 'HTTP 404'), '2025-07-01T08:00:00Z');
    expect(view.get(id)?.replayed).toEqual({ at: '2025-07-05T00:00:00Z' });
  });

  it('keeps at most maxEntries letters, dropping the oldest', () => {
    const view = new DeadLetterView({ maxEntries: 2 });
    const first = feed(view, deliver('qn-syt', 'one'), '2025-07-01T08:00:00Z');
    feed(view, deliver('qn-syt', 'two'), '2025-07-02T08:00:00Z');
    feed(view, deliver('qn-syt', 'three'), '2025-07-03T08:00:00Z');
    expect(view.size).toBe(2);
    expect(view.get(first)).toBeUndefined();
  });

  it('exposes lgsp_dead_letters{connector}, current at every scrape', async () => {
    const { view, ids } = seeded();
    const metrics = new Metrics();
    registerDeadLetterGauge(metrics, view);
    expect(await metrics.registry.getSingleMetricAsString('lgsp_dead_letters')).toContain('lgsp_dead_letters{connector="qn-syt"} 2');
    view.markReplayed(ids.b, '2025-07-05T00:00:00Z');
    expect(await metrics.registry.getSingleMetricAsString('lgsp_dead_letters')).toContain('lgsp_dead_letters{connector="qn-syt"} 1');
  });
});
