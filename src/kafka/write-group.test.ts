import { describe, expect, it } from 'vitest';
import { takeWriteGroup } from './write-group.ts';

describe('takeWriteGroup', () => {
  const size = (n: number) => n;

  it('takes items from the front while their sizes fit, and leaves the rest queued', () => {
    const queue = [3, 4, 2, 5];
    expect(takeWriteGroup(queue, size, 9)).toEqual([3, 4, 2]);
    expect(queue).toEqual([5]);
  });

  it('takes an item larger than the limit alone, and never nothing', () => {
    const queue = [12, 1];
    expect(takeWriteGroup(queue, size, 10)).toEqual([12]);
    expect(takeWriteGroup(queue, size, 10)).toEqual([1]);
    expect(takeWriteGroup(queue, size, 10)).toEqual([]);
  });
});
