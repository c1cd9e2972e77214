import { describe, expect, it } from 'vitest';
import { DedupeStore, marksOf } from './dedupe-store.ts';

describe('DedupeStore', () => {
  it('forgets entries older than the window', () => {
    const store = new DedupeStore({ windowMs: 1_000, maxEntries: 10, maxPerSource: 10 });
    store.remember('a', 10_000);
    expect(store.has('a', 10_500)).toBe(true);
    expect(store.has('a', 11_000)).toBe(false);
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const store = new DedupeStore({ windowMs: 60_000, maxEntries: 2, maxPerSource: 2 });
    store.remember('a', 1);
    store.remember('b', 2);
    store.remember('a', 3); // seen again: now the newest
    store.remember('c', 4);
    expect([store.has('a', 5), store.has('b', 5), store.has('c', 5), store.size]).toEqual([true, false, true, 2]);
  });

  it("caps each sender at maxPerSource: a flood evicts the sender's own oldest, never another's", () => {
    const store = new DedupeStore({ windowMs: 60_000, maxEntries: 100, maxPerSource: 3 });
    const key = (source: string, id: number) => DedupeStore.key(`urn:lgsp:agency:${source}`, `doc-${id}`);
    store.remember(key('000.00.16.H49', 0), 1);
    store.remember(key('000.00.16.H49', 1), 2);
    for (let id = 0; id < 50; id++) store.remember(key('000.00.15.H49', id), 10 + id);
    expect(store.has(key('000.00.16.H49', 0), 100)).toBe(true);
    expect(store.has(key('000.00.16.H49', 1), 100)).toBe(true);
    expect([47, 48, 49].map((id) => store.has(key('000.00.15.H49', id), 100))).toEqual([true, true, true]);
    expect(store.has(key('000.00.15.H49', 46), 100)).toBe(false);
    expect(store.size).toBe(5);
  });

  it("re-sending refreshes an entry in its sender's order too", () => {
    const store = new DedupeStore({ windowMs: 60_000, maxEntries: 100, maxPerSource: 2 });
    const key = (id: string) => DedupeStore.key('urn:lgsp:agency:000.00.15.H49', id);
    store.remember(key('a'), 1);
    store.remember(key('b'), 2);
    store.remember(key('a'), 3);
    store.remember(key('c'), 4);
    expect(['a', 'b', 'c'].map((id) => store.has(key(id), 5))).toEqual([true, false, true]);
  });

  it('keeps the global cap across senders: the oldest of all goes, whoever sent it', () => {
    const store = new DedupeStore({ windowMs: 60_000, maxEntries: 3, maxPerSource: 2 });
    const key = (source: string, id: string) => DedupeStore.key(`urn:lgsp:agency:${source}`, id);
    store.remember(key('000.00.15.H49', 'a'), 1);
    store.remember(key('000.00.16.H49', 'b'), 2);
    store.remember(key('000.00.17.H49', 'c'), 3);
    store.remember(key('000.00.18.H49', 'd'), 4);
    expect(['15', '16', '17', '18'].map((n, i) => store.has(key(`000.00.${n}.H49`, 'abcd'[i]!), 5))).toEqual([false, true, true, true]);
    expect(store.size).toBe(3);
  });

  describe('marksOf (records of lgsp.dedupe, written by hand)', () => {
    it('reads a record marking one message by its key (the format before marks were grouped)', () => {
      const record = { key: Buffer.from('urn:lgsp:agency:000.00.15.H49\ndoc-1'), value: Buffer.from('3f1c0f3a'), headers: {} };
      expect(marksOf(record)).toEqual(['urn:lgsp:agency:000.00.15.H49\ndoc-1']);
    });

    it('reads every mark of a grouped record, whatever its key', () => {
      const record = {
        key: Buffer.from('urn:lgsp:agency:000.00.15.H49\ndoc-1'),
        value: Buffer.from('["urn:lgsp:agency:000.00.15.H49\\ndoc-1","urn:lgsp:agency:000.00.15.H49\\ndoc-2"]'),
        headers: { lgsp_dedupe_marks: Buffer.from('2') },
      };
      expect(marksOf(record)).toEqual(['urn:lgsp:agency:000.00.15.H49\ndoc-1', 'urn:lgsp:agency:000.00.15.H49\ndoc-2']);
    });

    it('marks nothing for a grouped record it cannot read', () => {
      const headers = { lgsp_dedupe_marks: Buffer.from('1') };
      expect(marksOf({ key: Buffer.from('k'), value: Buffer.from('{not json'), headers })).toEqual([]);
      expect(marksOf({ key: Buffer.from('k'), value: Buffer.from('{"k":1}'), headers })).toEqual([]);
      expect(marksOf({ key: Buffer.from('k'), value: Buffer.from('["k",7]'), headers })).toEqual(['k']);
    });

    it('round-trips what the hub writes', () => {
      const keys = [DedupeStore.key('urn:lgsp:agency:000.00.15.H49', 'a'), DedupeStore.key('urn:lgsp:agency:000.00.15.H49', 'b')];
      const { key, value, headers } = DedupeStore.record(keys);
      expect(
        marksOf({
          key: Buffer.from(key as string),
          value: Buffer.from(value as string),
          headers: { lgsp_dedupe_marks: Buffer.from(String(headers!.lgsp_dedupe_marks)) },
        }),
      ).toEqual(keys);
    });
  });
});
