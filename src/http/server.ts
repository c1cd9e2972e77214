/**
 * The hub's HTTP server around the express app: HTTPS when LGSP_TLS_CERT_FILE and
 * LGSP_TLS_KEY_FILE are set (then plain HTTP on that port gets no answer: the handshake fails),
 * the slow-client guard, and the answers to requests Node refuses before express sees them.
 * Node's own answers to those are bare (`400`, `431`, `408` with no body); here each is
 * problem+json from the catalogue, so every client gets a `type` to branch on, whatever layer
 * refused it.
 *
 * Slow-client guard (slowloris): a client has LGSP_HEADERS_TIMEOUT (10 s) to send its headers and
 * LGSP_REQUEST_TIMEOUT (60 s) for the whole request; then it gets `408 request-timeout` and the
 * socket is closed. Idle keep-alive sockets close after `KEEP_ALIVE_TIMEOUT_MS`. Node checks the
 * timeouts every `connectionsCheckingInterval` (1 s here, 30 s by default).
 *
 * Over HTTPS the server asks every client for a certificate but never refuses a handshake for
 * lacking one (`requestCert`, not `rejectUnauthorized`): a connector may authenticate with its
 * client certificate or its bearer token, and authentication (`auth.ts`) decides, per route.
 */
import { createServer, type RequestListener, type Server as HttpServer, type ServerOptions as HttpServerOptions } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { HubError, type ProblemCode } from '../contract/problems.ts';

const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export interface ServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** PEM certificate (chain) and key: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
}

export type Server = HttpServer | HttpsServer;

/** Node's parser and timeout error codes → the catalogue. */
function problemFor(err: NodeJS.ErrnoException, options: ServerOptions): { code: ProblemCode; detail: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers-too-large', detail: 'The request headers are larger than the hub accepts (16 KB). Send fewer or shorter headers.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 'request-timeout',
        detail: `The request was not received in time (headers within ${options.headersTimeoutMs} ms, the whole request within ${options.requestTimeoutMs} ms).`,
      };
    default:
      return {
        code: 'malformed-request',
        detail: `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}). Check the request line, header syntax and framing.`,
      };
  }
}

/** Answers a request Node refused with problem+json, then closes the connection. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, options: ServerOptions): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { code, detail } = problemFor(err, options);
  const problem = new HubError(code, detail);
  const body = JSON.stringify(problem.toProblem());
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.toProblem().title.replace(/[^\x20-\x7e]/g, '')}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Starts listening on `host:port`, over HTTPS when `options.tls` is given. */
export function listen(app: RequestListener, options: ServerOptions): Promise<Server> {
  const guard: HttpServerOptions = {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const { tls } = options;
  const server: Server = tls
    ? createHttpsServer({ ...guard, cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: false }, app)
    : createServer(guard, app);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, options));
  // Node answers an `Expect` other than 100-continue with a bare 417; say why instead.
  server.on('checkExpectation', (req, res) => {
    const problem = new HubError(
      'expectation-failed',
      `The hub does not support "Expect: ${req.headers.expect}"; only 100-continue is understood. Send the request without it.`,
    );
    res.writeHead(problem.status, { 'content-type': 'application/problem+json', connection: 'close' }).end(JSON.stringify(problem.toProblem(req.url)));
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(options.port, options.host, () => {
      server.off('error', rej);
      res(server);
    });
  });
}

/** Stops taking connections and ends the open ones (keep-alive clients would hold it open). */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((res) => server.close(() => res()));
  server.closeAllConnections();
  await closed;
}
