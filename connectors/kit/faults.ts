/**
 * Injectable faults for the simulated agency systems (every connector's simulator uses them), and
 * the server helper that lets a test stop an agency ("down": connections refused) and bring it back
 * on the same port.
 *
 * A `FaultPlan` holds at most one fault. `middleware()` goes before the simulator's real handlers
 * and applies the current fault to each request:
 * - `error`: answers `status` (default body `{ error: 'simulated fault' }`, `Retry-After` when
 *   `retryAfterSeconds` is given): a transient failure (5xx, 429, 408);
 * - `reject`: answers a permanent `status` (a 4xx) with `body`;
 * - `slow`: waits `delayMs`, then lets the real handler answer;
 * - `hang`: never answers while the fault is set (a client timeout); `clear()` lets the held
 *   requests through to the real handler if their client is still there;
 * - `refuse`: destroys the socket without answering (a connection reset);
 * - `redirect`: answers `status` (default 307) with `Location: location` (a test puts another
 *   server there and checks that it receives nothing);
 * - `oversize`: answers `status` (default 200) with a JSON body of `bytes` bytes, written in
 *   chunks while the client reads; `cut` counts the answers whose client hung up before the end.
 * `times` applies the fault to the next N requests only, then the plan clears itself (requests a
 * `hang` holds stay held until `clear()` or the server closes).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export type Fault =
  | { readonly kind: 'error'; readonly status: number; readonly retryAfterSeconds?: number; readonly body?: unknown; readonly times?: number }
  | { readonly kind: 'reject'; readonly status: number; readonly body?: unknown; readonly times?: number }
  | { readonly kind: 'slow'; readonly delayMs: number; readonly times?: number }
  | { readonly kind: 'hang'; readonly times?: number }
  | { readonly kind: 'refuse'; readonly times?: number }
  | { readonly kind: 'redirect'; readonly location: string; readonly status?: 301 | 302 | 303 | 307 | 308; readonly times?: number }
  | { readonly kind: 'oversize'; readonly bytes: number; readonly status?: number; readonly times?: number };

/** TLS of a simulated system: its certificate, and the CA its clients' certificates must chain to (mutual TLS). */
export interface SimulatorTls {
  readonly key: string;
  readonly cert: string;
  /** When set, a client certificate signed by this CA is required (the handshake fails without one). */
  readonly clientCa?: string;
}

export class FaultPlan {
  private current: Fault | undefined;
  private remaining = Infinity;
  private readonly held = new Set<() => void>();
  /** Requests a fault was applied to since the plan was made. */
  applied = 0;
  /** `oversize` answers whose client closed the connection before the whole body was written. */
  cut = 0;

  /** Replaces the current fault. */
  set(fault: Fault): void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
      throw new RangeError(`times must be a positive integer, got ${fault.times}`);
    }
    this.current = fault;
    this.remaining = fault.times ?? Infinity;
  }

  /** Removes the fault; requests held by `hang` go on to the real handler. */
  clear(): void {
    this.current = undefined;
    this.remaining = Infinity;
    const held = [...this.held];
    this.held.clear();
    for (const release of held) release();
  }

  get fault(): Fault | undefined {
    return this.current;
  }

  /** Express middleware: mount before the real handlers. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const fault = this.take();
      if (!fault) return next();
      switch (fault.kind) {
        case 'error':
          if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
          res.status(fault.status).json(fault.body ?? { error: 'simulated fault' });
          return;
        case 'reject':
          res.status(fault.status).json(fault.body ?? { error: 'simulated rejection' });
          return;
        case 'slow': {
          const timer = setTimeout(() => {
            if (!res.writableEnded && !req.socket.destroyed) next();
          }, fault.delayMs);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        case 'hang': {
          const release = (): void => {
            if (!res.writableEnded && !req.socket.destroyed) next();
          };
          this.held.add(release);
          res.on('close', () => this.held.delete(release));
          return;
        }
        case 'refuse':
          req.socket.destroy();
          return;
        case 'redirect':
          res
            .status(fault.status ?? 307)
            .set('Location', fault.location)
            .end();
          return;
        case 'oversize':
          return this.oversize(res, fault.status ?? 200, fault.bytes);
      }
    };
  }

  /** `{"padding":"xxx…"}` of `bytes` bytes, written as the client drains it; counts a client that hangs up early. */
  private oversize(res: Response, status: number, bytes: number): void {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = Math.max(0, bytes - 14);
    res
      .status(status)
      .set('content-type', 'application/json')
      .set('content-length', String(left + 14));
    res.on('close', () => {
      if (!res.writableFinished) this.cut += 1;
    });
    res.write('{"padding":"');
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, left));
        left -= part.length;
        if (!res.write(part)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"}');
    };
    pump();
  }

  /** The fault for one request, counting `times` down. */
  private take(): Fault | undefined {
    const fault = this.current;
    if (!fault) return undefined;
    this.applied += 1;
    this.remaining -= 1;
    if (this.remaining <= 0) {
      this.current = undefined;
      this.remaining = Infinity;
    }
    return fault;
  }
}

/** A simulator listening on 127.0.0.1 that can go down and come back on the same port. */
export interface SimulatorServer {
  /** `http://127.0.0.1:<port>`, stable across restarts. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open connection (clients see refused/reset connections). */
  close(): Promise<void>;
  /** Listens again on the same port; a no-op when already listening. */
  restart(): Promise<void>;
}

/**
 * Starts `app` (an express app or any request listener) on 127.0.0.1 (`port` 0 or absent: a free
 * port chosen by the system), over https when `tls` is given.
 */
export async function startSimulatorServer(app: RequestListener, options: { port?: number; tls?: SimulatorTls } = {}): Promise<SimulatorServer> {
  const { tls } = options;
  let server: Server | undefined = await listen(app, options.port ?? 0, tls);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve, reject) => {
        s.close((err) => (err ? reject(err) : resolve()));
        s.closeAllConnections();
      });
    },
    async restart() {
      if (server) return;
      server = await listen(app, port, tls);
    },
  };
}

function listen(app: RequestListener, port: number, tls?: SimulatorTls): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = tls
      ? createTlsServer({ key: tls.key, cert: tls.cert, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, app)
      : createServer(app);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** What every simulated agency system exposes: its address, its faults, going down and coming back. */
export interface SimulatedSystem {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Down: every connection dies first (held requests with them), then the faults are cleared. */
  close(): Promise<void>;
  /** Back on the same port. */
  restart(): Promise<void>;
}

/** Starts `app` (which applies `faults`) as a simulated system on 127.0.0.1 (`port` 0: any free one), over https with `tls`. */
export async function startSimulatedSystem(app: RequestListener, faults: FaultPlan, port = 0, tls?: SimulatorTls): Promise<SimulatedSystem> {
  const server = await startSimulatorServer(app, { port, ...(tls ? { tls } : {}) });
  return {
    url: server.url,
    port: server.port,
    faults,
    close: async () => {
      await server.close();
      faults.clear();
    },
    restart: () => server.restart(),
  };
}

/** One request as a `RecordingServer` saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A server that answers 200 to everything and keeps what it got: the place a redirect points to. */
export interface RecordingServer {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = await startSimulatorServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"error_code":0,"session":"stolen","status":"OK","docId":"stolen"}');
    });
  });
  return { url: server.url, requests, close: () => server.close() };
}
