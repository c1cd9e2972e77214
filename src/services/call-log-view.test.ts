import { describe, expect, it } from 'vitest';
import { CallLogView, parseCallRecord, visibleConsumer } from './call-log-view.ts';
import type { CallRecord } from './service-record.ts';

const silent = { warn: () => undefined };
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A call of the population database by Hạ Long's one-stop system, second `s` of a July morning. */
const call = (id: string, s: number, overrides: Partial<CallRecord> = {}): CallRecord => ({
  id,
  time: new Date(Date.UTC(2025, 6, 14, 8, 0, s)).toISOString(),
  service: 'population-lookup',
  serviceVersion: '1.0.0',
  provider: 'national-population',
  consumer: 'qn-halong-motcua',
  consumerAgency: '000.02.05.H49',
  officer: 'CB-000123',
  purpose: 'identity-check',
  grant: 'g-1',
  method: 'GET',
  path: '/citizens/001203004567',
  status: 200,
  outcome: 'answered',
  providerStatus: 200,
  latencyMs: 12.5,
  requestBytes: 0,
  responseBytes: 96,
  requestSha256: EMPTY_SHA256,
  responseSha256: EMPTY_SHA256,
  ...overrides,
});

describe('CallLogView', () => {
  it('lists the calls of one service newest first, whatever order they arrived in, up to the limit', () => {
    const view = new CallLogView(silent);
    for (const [id, s] of [
      ['c2', 2],
      ['c1', 1],
      ['c3', 3],
    ] as const)
      view.add(call(id, s));
    view.add(call('other', 4, { service: 'business-lookup' }));
    expect(view.list({ service: 'population-lookup' }).map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
    expect(view.list({ service: 'population-lookup', limit: 2 }).map((c) => c.id)).toEqual(['c3', 'c2']);
    expect(view.list({ service: 'business-lookup' }).map((c) => c.id)).toEqual(['other']);
    expect(view.list({ service: 'unknown' })).toEqual([]);
  });

  it('keeps a call once: the follower’s copy of a call this instance already added is ignored', () => {
    const view = new CallLogView(silent);
    view.add(call('c1', 1));
    view.add(call('c1', 1, { status: 500 }));
    expect(view.size).toBe(1);
    expect(view.get('c1')?.status).toBe(200);
  });

  it('filters by consumer, agency, officer, purpose, outcome, status and a half-open time window', () => {
    const view = new CallLogView(silent);
    view.add(call('a', 1));
    view.add(call('b', 2, { consumer: 'qn-camp-motcua', consumerAgency: '000.03.05.H49', officer: 'CB-9' }));
    view.add(call('c', 3, { purpose: 'dossier-intake', outcome: 'not-granted', status: 403, grant: undefined, providerStatus: undefined }));
    view.add(call('d', 4, { outcome: 'provider-timeout', status: 504, providerStatus: undefined }));
    const ids = (q: Omit<Parameters<CallLogView['list']>[0], 'service'>) => view.list({ service: 'population-lookup', ...q }).map((c) => c.id);
    expect(ids({ consumer: 'qn-camp-motcua' })).toEqual(['b']);
    expect(ids({ consumerAgency: '000.02.05.H49' })).toEqual(['d', 'c', 'a']);
    expect(ids({ officer: 'CB-9' })).toEqual(['b']);
    expect(ids({ purpose: 'dossier-intake' })).toEqual(['c']);
    expect(ids({ outcome: 'provider-timeout' })).toEqual(['d']);
    expect(ids({ status: 403 })).toEqual(['c']);
    expect(ids({ since: call('', 2).time, until: call('', 4).time })).toEqual(['c', 'b']);
    expect(ids({ consumer: 'qn-halong-motcua', status: 200 })).toEqual(['a']);
  });

  it('keeps only the newest records by arrival, and forgets a service whose calls all went', () => {
    const view = new CallLogView(silent, { maxRecords: 3 });
    view.add(call('old', 1, { service: 'business-lookup' }));
    for (const [id, s] of [
      ['c2', 2],
      ['c3', 3],
      ['c4', 4],
    ] as const)
      view.add(call(id, s));
    expect(view.size).toBe(3);
    expect(view.get('old')).toBeUndefined();
    expect(view.hasCalls('business-lookup')).toBe(false);
    expect(view.hasCalls('population-lookup')).toBe(true);
    view.add(call('c5', 5));
    expect(view.list({ service: 'population-lookup' }).map((c) => c.id)).toEqual(['c5', 'c4', 'c3']);
  });

  it('keeps no more bytes than its bound when records carry bodies, and always the newest record', () => {
    const view = new CallLogView(silent, { maxBytes: 10_240 });
    const body = (n: number) => 'A'.repeat(n);
    view.add(call('small-1', 1));
    view.add(call('small-2', 2));
    view.add(call('bodies', 3, { requestBody: body(3_000), responseBody: body(4_000) }));
    expect(view.list({ service: 'population-lookup' }).map((c) => c.id)).toEqual(['bodies', 'small-2', 'small-1']); // 1 + 1 + 8 KB, counted
    view.add(call('small-3', 4));
    expect(view.list({ service: 'population-lookup' }).map((c) => c.id)).toEqual(['small-3', 'bodies', 'small-2']);
    view.add(call('huge', 5, { responseBody: body(50_000) }));
    expect(view.list({ service: 'population-lookup' }).map((c) => c.id)).toEqual(['huge']);
    view.add(call('small-4', 6));
    expect(view.list({ service: 'population-lookup' }).map((c) => c.id)).toEqual(['small-4']);
  });

  it('stays in time order through many drops when calls of several instances arrive out of order', () => {
    const view = new CallLogView(silent, { maxRecords: 2000 });
    // Every 7th call comes from a slower instance, 30 seconds late; two services interleave.
    const arrived = Array.from({ length: 5000 }, (_, i) =>
      call(`c${i}`, 0, {
        time: new Date(Date.UTC(2025, 6, 14) + (i - (i % 7 === 0 ? 30 : 0)) * 1000).toISOString(),
        service: i % 3 ? 'population-lookup' : 'business-lookup',
      }),
    );
    for (const c of arrived) view.add(c);
    const kept = arrived.slice(-2000);
    expect(view.size).toBe(2000);
    expect(view.get('c2999')).toBeUndefined();
    for (const service of ['population-lookup', 'business-lookup']) {
      const expected = kept.filter((c) => c.service === service).sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
      expect(view.list({ service, limit: 5000 }).map((c) => c.time)).toEqual(expected.map((c) => c.time));
    }
  });
});

describe('visibleConsumer', () => {
  const connector = (id: string) => ({ operator: false as const, connector: { id, agency: '000.02.05.H49' } });

  it('shows every call to an operator and to the provider, and a consumer only its own', () => {
    expect(visibleConsumer({ operator: true, name: 'lan', role: 'viewer' }, 'national-population')).toBeUndefined();
    expect(visibleConsumer(connector('national-population'), 'national-population')).toBeUndefined();
    expect(visibleConsumer(connector('qn-halong-motcua'), 'national-population')).toBe('qn-halong-motcua');
    expect(visibleConsumer(connector('national-population'), undefined)).toBe('national-population');
  });
});

describe('parseCallRecord', () => {
  it('reads a record written as the hub writes it', () => {
    const written = call('c1', 1);
    expect(parseCallRecord(Buffer.from(JSON.stringify(written)))).toEqual(written);
  });

  it('refuses what is not a call record: no value, not JSON, a field missing or of the wrong type, an unknown outcome', () => {
    const { consumer: _consumer, ...noConsumer } = call('c1', 1);
    for (const value of [
      null,
      Buffer.from('{"id":'),
      Buffer.from(JSON.stringify(noConsumer)),
      Buffer.from(JSON.stringify({ ...call('c1', 1), status: '200' })),
      Buffer.from(JSON.stringify({ ...call('c1', 1), outcome: 'toString' })),
      Buffer.from('[]'),
    ]) {
      expect(parseCallRecord(value), String(value)).toBeUndefined();
    }
  });
});
