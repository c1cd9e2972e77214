/**
 * How deep a JSON text nests, found by one linear scan of its bytes before anything parses or
 * recurses into it: `JSON.stringify`, ajv and the trace view all recurse, and a body nested
 * thousands of levels deep would overflow their stacks. Strings are skipped (brackets inside
 * them do not count, escaped quotes do not end them). Malformed text is the parser's to refuse;
 * this only answers whether `limit` is exceeded.
 */
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when `json` opens more than `limit` objects and arrays inside each other. */
export function exceedsJsonDepth(json: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}
