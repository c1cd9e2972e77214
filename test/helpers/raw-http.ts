/**
 * A bare HTTP/1.1 client on a TCP socket, for the fuzz suite: it sends exactly the bytes it is
 * given (a malformed percent-encoding, a header Node's clients would refuse, a lying
 * Content-Length), one request per connection, and reads the whole answer.
 */
import { connect } from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** Sent as is: no encoding, no normalisation. */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const CRLF = '\r\n';

/** The request's bytes; a body goes with a Content-Length, or chunked when the headers say so. */
export function requestBytes({ method, target, headers, body }: RawRequest, host: string): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...headers.map(([n, v]) => `${n}: ${v}`)];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  let payload = body ?? Buffer.alloc(0);
  if (has('transfer-encoding') && !has('content-length')) {
    payload = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
  } else if (body !== undefined && !has('content-length')) {
    lines.push(`Content-Length: ${body.length}`);
  }
  return Buffer.concat([Buffer.from(lines.join(CRLF) + CRLF + CRLF, 'latin1'), payload]);
}

/** Sends `bytes` to `url`'s host and port and resolves with the parsed answer (or rejects after `timeoutMs`). */
export function sendRaw(url: string, bytes: Buffer, timeoutMs = 15_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      // A reset after a complete answer (the server closed while we were still sending) is fine.
      const answer = tryParse(Buffer.concat(chunks));
      if (answer) resolve(answer);
      else reject(err);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      const answer = tryParse(Buffer.concat(chunks));
      if (answer) resolve(answer);
      else reject(new Error(`connection closed without a complete answer (${chunks.length} chunks)`));
    });
    socket.write(bytes);
  });
}

function tryParse(raw: Buffer): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split(CRLF);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!Number.isInteger(status)) return undefined;
  if (status < 200) return tryParse(raw.subarray(end + 4)); // an interim answer (100 Continue): the final one follows
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
