import { describe, expect, it } from 'vitest';
import { DedupeStore } from './dedupe-store.ts';

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
});
