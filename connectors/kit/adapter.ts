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
 * Senders and pollers get a `KindContext` from the hub (`kind-context.ts`): their settings parsed
 * against the kind's TypeBox spec, the hub's signing key, the connector's transport and a logger.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { LgspError } from '../../src/contract/errors.ts';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import type { Transport } from './transport.ts';
import type { ConformanceProfile, SimulatorFactory, StatusNames, TypePattern } from './kind-facts.ts';

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
  /** The hub's signature over the message as accepted (docs/signatures.md); push senders pass it on as `lgsp-hub-signature`. */
  readonly hubSignature?: string;
  /** The sender's own signature (docs/signatures.md, chain of custody); push senders pass it on as `lgsp-sender-signature`. */
  readonly senderSignature?: string;
  /** `event.data` as the hub holds it (the bytes its signature hashes), when the delivery stage has them: a kind that sends `data` as JSON sends these. */
  readonly dataBytes?: Buffer;
}

/**
 * Why a delivery did not succeed, as a type (callers branch on it, never on `reason` text). Which
 * ones retry and which refuse is decided once, in `classify.ts`.
 */
export const DELIVERY_FAILURES = [
  /** The attempt's deadline passed before every request of it was answered (retry). */
  'timeout',
  /** No answer: connection refused or reset, DNS failure (retry). */
  'connection',
  /** The TLS handshake failed: an untrusted certificate, a client certificate required (retry). */
  'tls',
  /** The HTTP status said so: 408, 429, 5xx retry; any other 4xx is refused. */
  'http-status',
  /** A 3xx: redirects are never followed (refused: the connector's address is wrong). */
  'redirect',
  /** An answer over the transport's size cap that had to be read whole (retry). */
  'too-large',
  /** A 2xx answer that is not in the system's documented shape (retry). */
  'protocol',
  /** The system's own error code in its answer (dvcqg `error_code`, ...): as the kind's table says. */
  'application',
  /** Not attempted: the connector's circuit breaker is open (retry). */
  'breaker-open',
] as const;
export type DeliveryFailure = (typeof DELIVERY_FAILURES)[number];

/** What the recipient's answer means for the hub. */
export type DeliveryOutcome =
  | { readonly outcome: 'delivered'; readonly status?: number }
  /** Try again later; counts against the breaker. */
  | RetryOutcome
  /** Never retried: straight to the dead-letter topic, with the response. */
  | RefusedOutcome;

interface FailedOutcome {
  readonly failure: DeliveryFailure;
  /** For people (logs, dead letters, traces): `HTTP 503`, `timeout after 10000 ms`. */
  readonly reason: string;
  readonly status?: number;
  /** What the system answered (an excerpt as text, or the kind's parsed answer). */
  readonly response?: unknown;
}
export interface RetryOutcome extends FailedOutcome {
  readonly outcome: 'retry';
  readonly retryAfterMs?: number;
}
export interface RefusedOutcome extends FailedOutcome {
  readonly outcome: 'refused';
}

/** What the hub gives a kind's sender or poller (`kind-context.ts` builds it). */
export interface KindContext<Settings = unknown> {
  /** `manifest.settings` parsed against the kind's `settingsSchema` (defaults applied). */
  readonly settings: Settings;
  /** The key of the delivery signatures, v2 `webhook-signature` and v1 `X-LGSP-Signature` (`signingKeyOf(token)`); never part of `settings`. */
  readonly signingKey: string;
  /** The connector's transport (its TLS settings applied); the hub closes it after the sender or poller. */
  readonly transport: Transport;
  readonly logger: KindLogger;
}

/** The part of the hub's logger (pino) a kind may use; lines carry the connector id already. */
export interface KindLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

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

/** A kind; `Spec` is its TypeBox settings spec, so `ctx.settings` is typed from the same declaration. */
export interface ConnectorAdapter<Spec extends TSchema = TSchema> {
  readonly kind: string;
  /** One line for operators and the manifest docs. */
  readonly summary: string;
  /**
   * True for gateways that relay messages of many agencies (the national document axis): their
   * messages may carry any agency as `source`. Every other connector sends only as its own agency.
   */
  readonly relay?: boolean;
  /**
   * The TypeBox spec (plain JSON Schema) of `manifest.settings` for this kind: validated at
   * registration, parsed into `ctx.settings`. The transport's own settings (TLS) are added by the
   * kit (`transport-settings.ts`), not declared here.
   */
  readonly settingsSchema: Spec;
  /** True when deliveries go to `manifest.endpoint` (so a connector that subscribes must have one). */
  readonly endpointRequired?: boolean;
  /** Settings that are credentials (a portal password): never shown back by the API. */
  readonly secretSettings?: readonly string[];
  // Facts about the kind, read by the shared code from the registered kinds (`kind-facts.ts`).
  /** The types the kind carries by nature (checked when a manifest has no subscriptions); absent: every type. */
  readonly naturalTypes?: readonly TypePattern[];
  /** Names of the business status codes its system reports, per message type (a status that carries no name is named from these). */
  readonly statusNames?: StatusNames;
  /** Starts a simulator of the kind's agency system (the conformance suite, tests); required of a kind that delivers. */
  readonly simulator?: SimulatorFactory;
  /** How the shared conformance suite holds the kind to the checks; required of a kind that delivers. */
  readonly conformance?: ConformanceProfile;
  decode?(request: InboundRequest, connector: ConnectorManifest): CloudEvent[];
  createSender?(connector: ConnectorManifest, ctx: KindContext<Static<Spec>>): Sender;
  createPoller?(connector: ConnectorManifest, ctx: KindContext<Static<Spec>>, sink: PollSink): Poller;
}

export const ADAPTER_ERROR_CODES = [
  /** A native inbound payload the kind cannot map to events. */
  'adapter-decode-failed',
  /** An event the kind cannot express in its system's format (dead letter, stage encode). */
  'adapter-encode-failed',
  /** Something the kind does not do (a capability, a content type). */
  'adapter-unsupported',
  /** A connector's settings do not match its kind's spec (registration checks them first). */
  'adapter-settings-invalid',
] as const;
export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[number];

/** A native payload the adapter cannot map; `path` points at the failing field (JSON Pointer or XML path). Never retriable. */
export class AdapterError extends LgspError<AdapterErrorCode> {
  readonly path: string;

  constructor(code: AdapterErrorCode, message: string, path: string = '', options?: { readonly cause?: unknown }) {
    super(code, message, { ...(options?.cause === undefined ? {} : { cause: options.cause }), retriable: false });
    this.path = path;
  }
}
