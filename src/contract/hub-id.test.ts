import { describe, expect, it } from 'vitest';
import { hubIdOf } from './hub-id.ts';

describe('hubIdOf', () => {
  it('is the same for the same source and id, different otherwise, and shaped as a UUID', () => {
    const id = hubIdOf('urn:lgsp:agency:000.00.15.H49', 'doc-1');
    expect(id).toBe(hubIdOf('urn:lgsp:agency:000.00.15.H49', 'doc-1'));
    expect(id).not.toBe(hubIdOf('urn:lgsp:agency:000.00.16.H49', 'doc-1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
