import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaSet } from './schema-set.ts';

// CloudEvents 1.0 "Type System": a String must not contain control characters, surrogate code
// points or noncharacters. Written by hand from the spec, one case per class.
const example = JSON.parse(readFileSync('schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', 'utf8')) as Record<string, unknown>;
const FORBIDDEN: Record<string, string> = {
  NUL: 'a\u0000b',
  'a line feed': 'a\nb',
  DEL: 'a\u007fb',
  'a C1 control (NEL)': 'a\u0085b',
  'a lone high surrogate': 'a\ud800b',
  'a lone low surrogate': 'a\udc00b',
  'the noncharacter U+FDD0': 'a\ufdd0b',
  'the noncharacter U+FFFE': 'a\ufffeb',
  'the noncharacter U+10FFFF': `a${String.fromCodePoint(0x10ffff)}b`,
};
const ALLOWED = ['Công văn số 12/UBND-VP', 'emoji 📄 (a surrogate pair is one character)', 'U+FFFD \ufffd is a character', 'tab-free text with spaces'];

describe('CloudEvents strings in the envelope', () => {
  let schemas: SchemaSet;
  beforeAll(async () => {
    schemas = await SchemaSet.load();
  });

  for (const attribute of ['id', 'subject', 'correlationid']) {
    for (const [what, value] of Object.entries(FORBIDDEN)) {
      it(`refuses ${what} in ${attribute}`, () => {
        const issues = schemas.validateEnvelope({ ...example, [attribute]: value });
        expect(issues.map((i) => i.path)).toContain(`/${attribute}`);
      });
    }
  }

  it('accepts ordinary Vietnamese text, astral characters and U+FFFD', () => {
    for (const value of ALLOWED) expect(schemas.validateEnvelope({ ...example, subject: value, correlationid: value })).toEqual([]);
  });
});
