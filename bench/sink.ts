/**
 * The benchmark's receiving end: a loopback HTTP server that answers 200 at once and records when
 * each message arrived (by `ce-id`), for the baseline and the hub alike. It verifies nothing, so
 * the figures measure the pipeline, not the receiver.
 */
import { createServer, type Server } from 'node:http';

export interface Sink {
  readonly url: string;
  /** Arrival time (performance.now() ms) of each distinct id. */
  readonly arrivals: Map<string, number>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const arrivals = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const id = req.headers['ce-id'];
    req.resume();
    req.on('end', () => {
      if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, performance.now());
      res.writeHead(200, { 'content-length': '0' }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/events`,
    arrivals,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `ids` all arrived (or the deadline), polling. */
export async function awaitArrivals(sink: Sink, ids: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (ids.every((id) => sink.arrivals.has(id))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
