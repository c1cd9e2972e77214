import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './json-depth.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays nested in each other, not siblings', () => {
    expect(exceedsJsonDepth(bytes('{"a":{"b":[1,[2]]}}'), 4)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"a":{"b":[1,[2]]}}'), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes('[[],[],[],[]]'), 2)).toBe(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(exceedsJsonDepth(bytes('{"s":"[[[[{{{{"}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"s":"\\"[[[[\\\\","t":1}'), 1)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"s":"\\\\"}'), 1)).toBe(false);
  });

  it('finds 5,000 levels of nesting without recursing', () => {
    const deep = `{"data":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(exceedsJsonDepth(bytes(deep), 64)).toBe(true);
  });
});
