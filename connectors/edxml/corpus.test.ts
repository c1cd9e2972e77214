/**
 * The hand-written corpus of real-package variants (test/corpus/edxml/README.md) through the codec
 * alone: each good package decodes to events valid against their schemas, and the package written
 * again from each event has the original's leaves, in order (test/corpus/edxml/leaves.ts, which
 * reads XML apart from the codec); each bad one is refused with its rule at its path. The same
 * corpus goes through the hub's HTTP route in test/corpus/edxml-corpus.int.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { BAD, GOOD, packageBytes } from '../../test/corpus/edxml/corpus.ts';
import { leavesOf } from '../../test/corpus/edxml/leaves.ts';
import { decodeEdxml, EdxmlError, encodeEdxml } from './codec.ts';
import { encodeForDelivery } from './delivery-encoding.ts';

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

describe('the edXML corpus, through the codec', () => {
  it.each(GOOD.map((p) => [p.file, p] as const))('%s: decoded valid, re-encoded leaf by leaf', { timeout: 60_000 }, async (_file, entry) => {
    const body = await packageBytes(entry);
    const events = decodeEdxml(body, { contentType: entry.contentType });
    expect(events.map((e) => e.type)).toEqual(entry.types);
    for (const event of events) {
      expect(schemas.validateEnvelope(event)).toEqual([]);
      expect(schemas.validateData(event.type, event.data, event.dataschema)).toEqual([]);
      entry.check?.(event);
      const original = leavesOf(body, entry.contentType);
      const delivered = encodeForDelivery(event);
      if (entry.signed) expect(delivered.equals(body)).toBe(true);
      expect(leavesOf(delivered)).toEqual(original);
      // Written again from the canonical data alone (as for a recipient that is not edXML, and for
      // signed packages without their original bytes): the same leaves, the signature included.
      expect(leavesOf(encodeEdxml(event))).toEqual(original);
    }
  });

  it.each(BAD.map((p) => [p.file, p] as const))('%s: refused with its rule at its path', async (_file, entry) => {
    let error: unknown;
    try {
      decodeEdxml(await packageBytes(entry), { contentType: entry.contentType, refuseInvalidSignatures: entry.refuseInvalidSignatures === true });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EdxmlError);
    expect({ code: (error as EdxmlError).code, path: (error as EdxmlError).path }).toEqual({ code: entry.code, path: entry.path });
  });
});
