/**
 * Bad and odd requests for every operation of the hub's OpenAPI document (which the route table
 * derives), as fast-check arbitraries. Bodies start from the hand-written examples of the contract
 * and fixtures of the kinds, then break: wrong types in any field, missing fields, truncation,
 * huge and deep values, duplicate and prototype keys, unicode edge cases, invalid UTF-8, wrong
 * content types and encodings; plus garbled auth, hostile XML and CSV, malformed percent-encoding
 * and HTTP framing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RawRequest } from '../helpers/raw-http.ts';

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly contentTypes: readonly string[];
  /** The OpenAPI security schemes that admit a caller (`operatorToken`, `connectorToken`); none: public. */
  readonly schemes: readonly string[];
}

interface OpenApi {
  paths: Record<
    string,
    Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, unknown> }; security?: Record<string, unknown>[] }>
  >;
}

/** Every operation of `/openapi.json`. */
export function operationsOf(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        contentTypes: Object.keys(op.requestBody?.content ?? {}),
        schemes: (op.security ?? []).flatMap((s) => Object.keys(s)),
      })),
  );
}

export interface Credentials {
  readonly operator: string;
  /** Tokens of connectors the fuzzer may use (never the controls' recipients). */
  readonly connectors: readonly string[];
}

// ---- seeds, written by hand in schemas/ and connectors/*/fixtures ----

const files = (dir: string, suffix: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => readFileSync(join(dir, f)));
/** Seeds never point the hub at a host outside this machine. */
const local = (text: string) => text.replace(/https?:\/\/(?!lgsp-hub\.dev)[^/"\s]+/g, 'http://127.0.0.1:9');
const JSON_SEEDS: unknown[] = [
  ...files('schemas/messages/examples', '.json'),
  ...files('schemas/examples', '.json'),
  ...files('connectors/dvcqg/fixtures', '.json'),
].map((b) => JSON.parse(local(b.toString('utf8'))));
const EVENT_SEEDS = files('schemas/messages/examples', '.json').map((b) => JSON.parse(local(b.toString('utf8'))) as unknown);
const XML_SEEDS = files('connectors/edxml/fixtures', '.xml').map((b) => b.toString('utf8'));
const CSV_SEEDS = [
  'code,name,level,parent\n',
  'code,name,level,parent\n000.00.99.H49,"Sở ""Thử""",department,000.00.00.H49\n',
  'code;name\n"unbalanced,quote\n',
  '\uFEFFcode,name,level\r\n000.01.99.H49,Xã Thử,commune\r\n',
];

const HOSTILE_XML = [
  '<?xml version="1.0"?><edXML><a>&toString;</a></edXML>',
  '<?xml version="1.0"?><edXML><a>&constructor;&__proto__;&hasOwnProperty;</a></edXML>',
  '<edXML></edXML><edXML/>',
  '<edXML/><second/>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><edXML>&b;</edXML>',
  `<edXML>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</edXML>`,
  '<?xml version="1.0" encoding="ISO-8859-1"?><edXML/>',
  '<edXML><![CDATA[unterminated',
  '<edXML xmlns:x="urn:x"><x:a x:b="1" x:b="2"/></edXML>',
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
];

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\n\r\t',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
  '\u{10ffff}',
  '\u202e',
  'x'.repeat(70_000),
  '%',
  '%ZZ',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  '{"a":1}',
  '<a/>',
  'null',
  '-0',
  '1e400',
  'Hồ sơ 📄',
];
const nastyString = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ maxLength: 300 }));
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, [], {}),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'x', 'id'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

// ---- structured mutations of a JSON seed ----

type Json = unknown;
function pathsOf(value: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}
function setAt(value: Json, path: (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const mutatedJson = (seeds: readonly unknown[]): fc.Arbitrary<Json> =>
  fc.tuple(fc.constantFrom(...seeds), fc.nat(), wrongValue, fc.constantFrom('set', 'delete', 'keep', 'batch', 'wrap')).map(([seed, pick, value, how]) => {
    const paths = pathsOf(seed);
    const path = paths[pick % paths.length]!;
    switch (how) {
      case 'set':
        return setAt(seed, path, value);
      case 'delete':
        return setAt(seed, path, undefined);
      case 'batch':
        return Array.from({ length: (pick % 3) * 300 + 1 }, () => seed);
      case 'wrap':
        return [seed, value];
      default:
        return seed;
    }
  });

// ---- textual and byte-level mutations ----

const textMutation = fc.oneof(
  fc.constant((t: string) => t),
  fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))),
  fc.constant((t: string) => t.replace('{', '{"id":"dup-1","id":"dup-2",')),
  fc.constant((t: string) => t.replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},')),
  fc.constantFrom(100, 1000, 5000, 20_000).map((n) => (t: string) => t.replace(/:\s*"[^"]*"/, `:${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.constantFrom(100, 5000).map((n) => (t: string) => t.replace(/"data"\s*:/, `"data":${'{"a":'.repeat(n)}1${'}'.repeat(n)},"x":`)),
  fc.constant((t: string) => t.replace(/"([^"\\]{2,})"/, '"$1\\ud800"')),
  fc.constant((t: string) => t.replace(/"([^"\\]{2,})"/, '"$1\\u0000\\u001f"')),
  fc.constant((t: string) => `\uFEFF${t}`),
);
const byteMutation = fc.oneof(
  { weight: 4, arbitrary: fc.constant((b: Buffer) => b) },
  fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0xa4], [0xf4, 0x90, 0x80, 0x80])).map(
    ([at, bytes]) =>
      (b: Buffer) =>
        Buffer.concat([b.subarray(0, at % (b.length + 1)), Buffer.from(bytes), b.subarray(at % (b.length + 1))]),
  ),
);

const jsonBody = (seeds: readonly unknown[]) =>
  fc.tuple(mutatedJson(seeds), textMutation, byteMutation).map(([value, text, bytes]) => bytes(Buffer.from(text(JSON.stringify(value) ?? 'null'), 'utf8')));
const xmlBody = fc
  .tuple(fc.oneof(fc.constantFrom(...XML_SEEDS), fc.constantFrom(...HOSTILE_XML)), fc.nat(), byteMutation)
  .map(([xml, cut, bytes]) => bytes(Buffer.from(cut % 4 === 0 ? xml.slice(0, cut % (xml.length + 1)) : xml, 'utf8')));
const csvBody = fc.tuple(fc.constantFrom(...CSV_SEEDS), byteMutation).map(([csv, bytes]) => bytes(Buffer.from(csv, 'utf8')));
const junkBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  nastyString.map((s) => Buffer.from(s, 'utf8')),
);

function bodyFor(contentType: string): fc.Arbitrary<Buffer> {
  if (/xml/.test(contentType)) return fc.oneof({ weight: 4, arbitrary: xmlBody }, junkBody);
  if (/csv/.test(contentType)) return fc.oneof({ weight: 4, arbitrary: csvBody }, junkBody);
  if (/cloudevents/.test(contentType)) return fc.oneof({ weight: 4, arbitrary: jsonBody(EVENT_SEEDS) }, junkBody);
  return fc.oneof({ weight: 4, arbitrary: jsonBody(JSON_SEEDS) }, junkBody);
}

const ODD_CONTENT_TYPES = [
  'text/csv; charset=fz-unknown',
  'application/json; charset=latin-9',
  'application/json; charset=utf-16',
  'application/cloudevents+json; charset=koi8-r',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'text/plain',
  ';;;',
  'application/json; charset="',
];

/** How the body is encoded on the wire: [Content-Encoding header, bytes]. */
const encoded = (body: Buffer): fc.Arbitrary<[string | undefined, Buffer]> =>
  fc.constantFrom<[string | undefined, Buffer]>(
    ...Array.from({ length: 9 }, (): [undefined, Buffer] => [undefined, body]),
    ['identity', body],
    ['gzip', gzipSync(body)],
    ['deflate', deflateSync(body)],
    ['br', brotliCompressSync(body)],
    ['gzip', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), body])],
    ['br', Buffer.from('not brotli')],
    ['zstd', body],
    ['x-fz', body],
    ['gzip, x-fz', body],
  );

const PARAM_VALUES = [
  'nope',
  'qn-fuzz',
  '0:0',
  '99:99',
  '1:x',
  '..%2F..%2Fetc',
  '%2e%2e',
  'a'.repeat(3000),
  '__proto__',
  'constructor',
  '%F0%9F%93%84',
  'x%20y',
  '000.00.15.H49',
];
const MALFORMED_PARAMS = ['%', '%ZZ', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%00'];
const paramValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PARAM_VALUES) }, fc.constantFrom(...MALFORMED_PARAMS));
const QUERY_VALUES = ['', '0', '-1', '1e9', 'abc', '2025-13-45', '2025-07-01T00:00:00Z', 'true', 'deliver', '__proto__', 'x'.repeat(5000), 'qn-stp-eoffice'];
const queryValue = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...QUERY_VALUES) }, fc.constantFrom('%', '%ZZ', '%C0%AF'));

/** Mostly the credential the operation admits (so requests reach its deeper checks), else anything. */
const authHeader = (op: Operation, creds: Credentials): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    { weight: op.schemes.includes('operatorToken') ? 6 : 1, arbitrary: fc.constant(`Bearer ${creds.operator}`) },
    { weight: op.schemes.includes('connectorToken') ? 6 : 1, arbitrary: fc.constantFrom(...creds.connectors.map((t) => `Bearer ${t}`)) },
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      `Bearer ${creds.operator}x`,
      `bearer   ${creds.operator}`,
      'Bearer \u00ff\u00fe',
      `Bearer ${'a'.repeat(5000)}`,
      'Bearer a.b.c',
    ),
  );

const ODD_HEADERS: readonly (readonly [string, string])[][] = [
  ...Array.from({ length: 12 }, () => []),
  [['Expect', 'fz-continue']],
  [['Expect', '100-continue']],
  [['X-Big', 'x'.repeat(20_000)]],
  [['Accept', 'application/xml']],
  [['Content-Length', '-1']],
  [['Transfer-Encoding', 'chunked']],
  [
    ['Content-Length', '5'],
    ['Transfer-Encoding', 'chunked'],
  ],
  [['X-Odd\u0000Name', '1']],
  [
    ['ce-id', 'x'],
    ['ce-specversion', '0.3'],
  ],
];

/** One bad or odd request for one of `operations`. */
export function badRequest(operations: readonly Operation[], creds: Credentials): fc.Arbitrary<RawRequest> {
  return fc.constantFrom(...operations).chain((op) => {
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map(() => paramValue);
    const query = fc.array(fc.tuple(fc.constantFrom(...op.query, 'limit', 'x', '__proto__'), queryValue), { maxLength: 4 });
    const contentType = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...(op.contentTypes.length > 0 ? op.contentTypes : ['application/json'])) },
      fc.constantFrom(...ODD_CONTENT_TYPES),
      fc.constant(undefined),
    );
    const method = fc.oneof({ weight: 19, arbitrary: fc.constant(op.method) }, fc.constantFrom('PATCH', 'OPTIONS', 'HEAD', 'FZ'));
    return fc
      .record({
        method,
        values: fc.tuple(...params),
        query,
        contentType,
        auth: authHeader(op, creds),
        odd: fc.constantFrom(...ODD_HEADERS),
        withBody: fc.boolean(),
      })
      .chain((r) => {
        const body =
          r.withBody || op.contentTypes.length > 0
            ? bodyFor(r.contentType ?? 'application/json').chain(encoded)
            : fc.constant<[string | undefined, Buffer] | undefined>(undefined);
        return body.map((wire): RawRequest => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => r.values[i++] as string);
          const qs = r.query.map(([k, v]) => `${k}=${v}`).join('&');
          const headers: (readonly [string, string])[] = [];
          if (r.auth !== undefined) headers.push(['Authorization', r.auth]);
          if (wire && r.contentType !== undefined) headers.push(['Content-Type', r.contentType]);
          if (wire?.[0] !== undefined) headers.push(['Content-Encoding', wire[0]]);
          headers.push(...r.odd);
          return { method: r.method, target: qs ? `${path}?${qs}` : path, headers, ...(wire ? { body: wire[1] } : {}) };
        });
      });
  });
}

/** The valid examples whose sender is `agency`, as sent by its connector (the starting point of near-valid messages). */
function validEventsFrom(agency: string): Record<string, unknown>[] {
  return EVENT_SEEDS.filter(
    (e): e is Record<string, unknown> => typeof e === 'object' && e !== null && (e as { source?: unknown }).source === `urn:lgsp:agency:${agency}`,
  );
}

/**
 * A valid message of `agency`'s connector with a fresh id and at most one structured change (a
 * field set to a wrong value, or removed): some are accepted, most refused with the failing
 * field. Accepted ones are what the "nothing invalid reaches Kafka" invariant is about.
 */
export function nearValidMessage(agency: string, token: string): fc.Arbitrary<RawRequest> {
  const seeds = validEventsFrom(agency);
  if (seeds.length === 0) throw new Error(`no valid example message from ${agency} under schemas/messages/examples`);
  return fc
    .tuple(fc.constantFrom(...seeds), fc.nat(), wrongValue, fc.constantFrom('set', 'delete', 'keep', 'keep'), fc.uuid())
    .map(([seed, pick, value, how, id]): RawRequest => {
      const event = { ...seed, id: `fuzz-${id}` };
      const paths = pathsOf(event).filter((p) => p.length > 0);
      const path = paths[pick % paths.length]!;
      const changed = how === 'keep' ? event : setAt(event, path, how === 'set' ? value : undefined);
      return {
        method: 'POST',
        target: '/v1/messages',
        headers: [
          ['Authorization', `Bearer ${token}`],
          ['Content-Type', 'application/cloudevents+json'],
        ],
        body: Buffer.from(JSON.stringify(changed) ?? 'null', 'utf8'),
      };
    });
}
