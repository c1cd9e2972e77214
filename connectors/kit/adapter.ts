/**
 * The connector kit: what a connector kind provides so the hub can speak an agency system's
 * language. A kind is a folder under `connectors/<kind>/` with an adapter, a simulator, fixtures and
 * tests, and one line in `connectors/index.ts`. The hub never looks inside a kind.
 *
 * Three capabilities, each optional:
 * - `decode`: a native inbound request (`POST /v1/connectors/{id}/inbound`) → canonical events;
 * - `createSender`: deliver a canonical event to the agency system and say what happened;
 * - `createPoller`: for pull systems (a mailbox the hub must poll), fetch packages, hand them to
 *   the hub, and acknowledge each only after the hub has it in Kafka.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';

/** A native request as it reached the hub. */
export interface InboundRequest {
  readonly contentType: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** One message for one recipient connector, as the delivery stage hands it to a sender. */
export interface Delivery {
  readonly event: CloudEvent;
  /** The hub's id of the message: the `Idempotency-Key` of every attempt. */
  readonly hubId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** What the recipient's answer means for the hub. */
export type DeliveryOutcome =
  | { readonly outcome: 'delivered'; readonly status?: number }
  /** Try again later (408, 429, 5xx, timeouts, connection errors); counts against the breaker. */
  | { readonly outcome: 'retry'; readonly reason: string; readonly retryAfterMs?: number; readonly status?: number; readonly response?: unknown }
  /** Never retried: straight to the dead-letter topic, with the response. */
  | { readonly outcome: 'refused'; readonly reason: string; readonly status?: number; readonly response?: unknown };

export interface Sender {
  /** Never throws for the recipient's trouble (that is an outcome); throws `AdapterError` when the event cannot be encoded. */
  deliver(delivery: Delivery): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

/** Where a poller hands what it fetched; resolves once Kafka holds the events (then acknowledge). */
export interface PollSink {
  accept(events: readonly CloudEvent[]): Promise<void>;
  /** A package that cannot be decoded: recorded as a dead letter (stage `decode`), then acknowledged as failed. */
  reject(reason: string, original: Buffer): Promise<void>;
  /** A poll that failed (the system unreachable, Kafka down); the poller goes on. For the hub's log. */
  error(err: Error): void;
}

export interface Poller {
  /** Polls until `stop`; errors are logged and the next poll tries again. */
  start(): void;
  stop(): Promise<void>;
}

export interface ConnectorAdapter {
  readonly kind: string;
  /** One line for operators and the manifest docs. */
  readonly summary: string;
  /**
   * True for gateways that relay messages of many agencies (the national document axis): their
   * messages may carry any agency as `source`. Every other connector sends only as its own agency.
   */
  readonly relay?: boolean;
  /** JSON Schema of `manifest.settings` for this kind (validated at registration). */
  readonly settingsSchema: Readonly<Record<string, unknown>>;
  /** True when deliveries go to `manifest.endpoint` (so a connector that subscribes must have one). */
  readonly endpointRequired?: boolean;
  /** Settings that are credentials (a portal password): never shown back by the API. */
  readonly secretSettings?: readonly string[];
  decode?(request: InboundRequest, connector: ConnectorManifest): CloudEvent[];
  createSender?(connector: ConnectorManifest): Sender;
  createPoller?(connector: ConnectorManifest, sink: PollSink): Poller;
}

export const ADAPTER_ERROR_CODES = ['ADAPTER_DECODE_FAILED', 'ADAPTER_ENCODE_FAILED', 'ADAPTER_UNSUPPORTED'] as const;
export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[number];

/** A native payload the adapter cannot map; `path` points at the failing field (JSON Pointer or XML path). */
export class AdapterError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: AdapterErrorCode,
    message: string,
    readonly path: string = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AdapterError';
  }
}
