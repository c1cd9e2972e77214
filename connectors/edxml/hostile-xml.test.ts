import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, EdxmlError } from './codec.ts';
import { parseXml } from './parse.ts';

// Hand-written hostile inputs found by the front-door fuzz suite (issue 15).
const refusal = (xml: string): EdxmlError => {
  try {
    parseXml(xml, DEFAULT_LIMITS);
  } catch (err) {
    if (err instanceof EdxmlError) return err;
    throw err;
  }
  throw new Error('parsed without complaint');
};

describe('hostile XML', () => {
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`refuses the entity reference &${name}; instead of resolving it through Object.prototype`, () => {
      const err = refusal(`<edXML><Subject>V/v &${name}; báo cáo</Subject></edXML>`);
      expect(err.code).toBe('edxml-malformed');
      expect(err.message).toContain(`&${name};`);
    });
  }

  it('still decodes the five XML entities and character references', () => {
    const { root } = parseXml('<edXML><Subject a="&quot;x&quot;">&lt;&gt;&amp;&apos;&#x1EA1;&#7841;</Subject></edXML>', DEFAULT_LIMITS);
    expect(JSON.stringify(root)).toContain("<>&'ạạ");
  });

  it('refuses a second root element, self-closing or not', () => {
    expect(refusal('<edXML><Subject>x</Subject></edXML><edXML/>').message).toMatch(/2 root elements/);
    expect(refusal('<?xml version="1.0"?><edXML/><Other></Other>').code).toBe('edxml-malformed');
  });
});
