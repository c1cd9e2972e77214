import { describe, expect, it } from 'vitest';
import { DedupeStore } from './dedupe-store.ts';

describe('DedupeStore', () => {
  it('forgets entries older than the window', () => {
    const store = new DedupeStore({ windowMs: 1_000, maxEntries: 10 });
    store.remember('a', 10_000);
    expect(store.has('a', 10_500)).toBe(true);
    expect(store.has('a', 11_000)).toBe(false);
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const store = new DedupeStore({ windowMs: 60_000, maxEntries: 2 });
    store.remember('a', 1);
    store.remember('b', 2);
    store.remember('a', 3); // seen again: now the newest
    store.remember('c', 4);
    expect([store.has('a', 5), store.has('b', 5), store.has('c', 5), store.size]).toEqual([true, false, true, 2]);
  });
});
