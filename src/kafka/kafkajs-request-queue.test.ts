import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import './kafkajs-request-queue.ts';

interface Queue {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: unknown): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  destroy(): void;
}
type QueueClass = new (options: Record<string, unknown>) => Queue;

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as QueueClass;
const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined };
const queues: Queue[] = [];

/** kafkajs's own request queue of one connection, with at most `maxInFlightRequests` requests in flight. */
function queue(maxInFlightRequests = 1): Queue {
  const q = new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:9092', logger: silent });
  queues.push(q);
  return q;
}

/** A request as kafkajs's connection pushes it; `sent` counts its sends. */
function request(correlationId: number, sent: number[]) {
  return {
    entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => undefined, reject: () => undefined },
    expectResponse: true,
    requestTimeout: 30_000,
    sendRequest: () => sent.push(correlationId),
  };
}

afterEach(() => {
  for (const q of queues.splice(0)) q.destroy();
});

describe("kafkajs's request queue, patched", () => {
  it('arms no timer once an answer leaves nothing pending and nothing throttled (kafkajs re-armed one every millisecond)', () => {
    const sent: number[] = [];
    const q = queue();
    q.push(request(1, sent));
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends a request that had to wait, when the one in flight is answered', () => {
    const sent: number[] = [];
    const q = queue(1);
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
  });

  it('sends waiting requests when a throttle ends, without an answer to wake it', () => {
    vi.useFakeTimers();
    try {
      const sent: number[] = [];
      const q = queue(10);
      q.throttledUntil = Date.now() + 30;
      q.push(request(1, sent));
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(30);
      expect(sent).toEqual([1]);
      expect(q.throttleCheckTimeoutId).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
