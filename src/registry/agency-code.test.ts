import { describe, expect, it } from 'vitest';
import { checkAgencyCode, derivedParent, isLevelOneCode, provinceOf } from './agency-code.ts';

describe('checkAgencyCode', () => {
  it('accepts the examples of agency-codes.md', () => {
    for (const code of ['000.00.00.H49', '000.00.01.H22', '000.00.04.G14', '001.03.15.H56', '000.00.00.K54']) {
      expect(checkAgencyCode(code), code).toBeUndefined();
    }
  });

  it('rejects malformed codes with a message naming the rule', () => {
    for (const code of ['00.00.00.H49', '000.00.00.h49', '000.00.00.H4', '000.00.00.49', '000-00-00-H49', ' 000.00.00.H49', '000.00.00.H49 ', '']) {
      expect(checkAgencyCode(code), JSON.stringify(code)).toMatch(/must match ddd\.dd\.dd\.Xdd/);
    }
  });
});

describe('derivedParent', () => {
  it('zeroes the most specific non-zero group, step by step', () => {
    expect(derivedParent('001.03.15.H56')).toBe('000.03.15.H56');
    expect(derivedParent('000.03.15.H56')).toBe('000.00.15.H56');
    expect(derivedParent('000.00.15.H56')).toBe('000.00.00.H56');
    expect(derivedParent('000.00.01.H22')).toBe('000.00.00.H22');
    expect(derivedParent('000.00.04.G14')).toBe('000.00.00.G14');
  });

  it('gives null for a level-1 body: its parent is the central level', () => {
    expect(derivedParent('000.00.00.H49')).toBeNull();
    expect(derivedParent('000.00.00.G22')).toBeNull();
    expect(isLevelOneCode('000.00.00.H49')).toBe(true);
    expect(isLevelOneCode('000.00.15.H49')).toBe(false);
  });

  it('gives undefined when a non-zero group sits below a zero group, or the code is malformed', () => {
    expect(derivedParent('001.00.15.H56')).toBeUndefined();
    expect(derivedParent('000.03.00.H56')).toBeUndefined();
    expect(derivedParent('001.03.00.H56')).toBeUndefined();
    expect(derivedParent('001.00.00.H56')).toBeUndefined();
    expect(derivedParent('not a code')).toBeUndefined();
  });
});

describe('provinceOf', () => {
  it('is the level-1 group', () => {
    expect(provinceOf('000.00.00.H49')).toBe('H49');
    expect(provinceOf('001.03.15.H56')).toBe('H56');
    expect(provinceOf('000.00.04.G14')).toBe('G14');
    expect(provinceOf('H49')).toBeUndefined();
  });
});
