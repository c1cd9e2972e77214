/**
 * A simulated agency system of the `webhook` kind on 127.0.0.1, for tests and the demo. It accepts
 * CloudEvents on `POST /events` in both HTTP content modes, the way an integrator would write it:
 * - the v2 signature (Standard Webhooks headers, `kit/webhook-verifier.ts`) must verify with the
 *   configured signing key within 5 minutes of the simulator's clock, else `401` naming the
 *   failure: a delivery re-sent later, or with a `ce-*` header, the id or the body changed, is
 *   refused (`verify: 'v1'` checks the deprecated `X-LGSP-Signature` instead);
 * - `Idempotency-Key` is required (`400` without) and, signed with v2, must be the `webhook-id`;
 *   an id already stored answers `200` again and is not stored twice (the hub's retries and a
 *   replay within the window alike);
 * - structured mode (`application/cloudevents+json`) is parsed as is; binary mode is rebuilt from
 *   the `ce-*` headers (percent-decoded) and the JSON body, `content-type` becoming
 *   `datacontenttype`. Anything else is `400`.
 * - `data` must be valid against its type's schema (`SchemaSet`), else `400` with the issues.
 * Transport trouble comes from `faults` (errors, slowness, hang, refused sockets) and from
 * `close()` / `restart()` (the system down, then back on its port). The parsing here is
 * deliberately independent of `codec.ts`, so the tests check the encoder against a second reading.
 */
import express, { type Request } from 'express';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { FaultPlan, startSimulatedSystem, type SimulatorTls } from '../kit/faults.ts';
import { verifySignature, type SignatureVersion } from '../kit/signature.ts';
import { verifyWebhook, WebhookVerificationError } from '../kit/webhook-verifier.ts';

export interface WebhookSimulatorOptions {
  /** `signingKeyOf(token)` of the connector this system is registered as. */
  signingKey: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Validates `data`; default: `SchemaSet.load()`, once per process. */
  schemas?: SchemaSet;
  /** Serve https (with a required client certificate when `clientCa` is set). */
  tls?: SimulatorTls;
  /** The signature it requires: `v2` (default) or the deprecated `v1` (`delivery.signatureVersions: ["v1"]`). */
  verify?: SignatureVersion;
  /** Its clock (epoch milliseconds), for the signature's window; default `Date.now`. */
  now?: () => number;
}

/** Ways to break the contract on purpose, for the conformance kit's own tests. */
export interface WebhookMisbehaviour {
  /** Answer 200 to an event whose data breaks its schema (instead of 400). */
  acceptPoison?: boolean;
  /** Answer 409 to a repeated Idempotency-Key (instead of 200). */
  failDuplicates?: boolean;
}

export interface ReceivedEvent {
  readonly event: CloudEvent;
  readonly idempotencyKey: string;
  readonly receivedAt: Date;
  /** The request as received: its headers (lower-case names) and exact body bytes. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface WebhookSimulator {
  /** `http://127.0.0.1:<port>`, stable across restarts. */
  readonly url: string;
  /** The connector's `endpoint`: `<url>/events`. */
  readonly endpoint: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Every request to the server, duplicates, rejected and faulted ones included. */
  readonly attempts: number;
  /** Events stored, once per Idempotency-Key, in the order received. */
  received(): ReceivedEvent[];
  /** Replaces the misbehaviour; `{}` behaves again. */
  misbehave(modes: WebhookMisbehaviour): void;
  close(): Promise<void>;
  restart(): Promise<void>;
}

export async function startWebhookSimulator(options: WebhookSimulatorOptions): Promise<WebhookSimulator> {
  const faults = new FaultPlan();
  const stored: ReceivedEvent[] = [];
  const keys = new Set<string>();
  let attempts = 0;
  const schemas = options.schemas ?? (await sharedSchemas());
  let misbehaviour: WebhookMisbehaviour = {};

  const app = express();
  app.use((_req, _res, next) => {
    attempts += 1;
    next();
  });
  app.use(faults.middleware());
  app.post('/events', express.raw({ type: () => true, limit: '10mb' }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signed = verified(req, body);
    if ('error' in signed) return void res.status(401).json(signed);
    const key = req.get('idempotency-key');
    if (!key) return void res.status(400).json({ error: 'Idempotency-Key is required' });
    if (signed.id !== undefined && signed.id !== key) return void res.status(400).json({ error: 'Idempotency-Key differs from the signed webhook-id' });
    if (keys.has(key)) {
      if (misbehaviour.failDuplicates) return void res.status(409).json({ error: 'Idempotency-Key seen before' });
      return void res.status(200).json({ duplicate: true });
    }
    let event: CloudEvent;
    try {
      event = readEvent(req, body);
    } catch (err) {
      return void res.status(400).json({ error: (err as Error).message });
    }
    const issues = schemas.validateData(event.type, event.data, event.dataschema);
    if (issues.length > 0 && !misbehaviour.acceptPoison) return void res.status(400).json({ error: 'invalid data', errors: issues });
    keys.add(key);
    stored.push({ event, idempotencyKey: key, receivedAt: new Date(), headers: { ...req.headers }, body });
    res.status(200).json({ stored: true });
  });

  /** The signed id (v2), or nothing to add (v1); `error` for the 401 answer. */
  function verified(req: Request, body: Buffer): { id?: string } | { error: string; failure: string } {
    if (options.verify === 'v1') {
      return verifySignature(body, req.get('x-lgsp-signature'), options.signingKey)
        ? {}
        : { error: 'bad or missing X-LGSP-Signature', failure: 'bad-signature' };
    }
    try {
      return { id: verifyWebhook({ signingKey: options.signingKey, headers: req.headers, body, ...(options.now ? { now: options.now() } : {}) }).id };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      return { error: err.message, failure: err.code };
    }
  }

  const system = await startSimulatedSystem(app, faults, options.port, options.tls);
  return {
    ...system,
    endpoint: `${system.url}/events`,
    get attempts() {
      return attempts;
    },
    received: () => stored.map((r) => ({ ...r })),
    misbehave: (modes) => {
      misbehaviour = { ...modes };
    },
  };
}

/** Structured or binary mode → the event; throws with a message for the 400 answer. */
function readEvent(req: Request, body: Buffer): CloudEvent {
  const media = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (media === 'application/cloudevents+json') return JSON.parse(body.toString('utf8')) as CloudEvent;
  if (req.get('ce-specversion') === undefined) throw new Error('neither structured mode nor a binary-mode ce-specversion header');
  if (media !== 'application/json') throw new Error(`binary mode data must be application/json, got "${media}"`);
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('ce-') && typeof value === 'string') attributes[name.slice(3)] = decodeURIComponent(value);
  }
  return { ...attributes, datacontenttype: media, data: JSON.parse(body.toString('utf8')) } as unknown as CloudEvent;
}

let loading: Promise<SchemaSet> | undefined;
function sharedSchemas(): Promise<SchemaSet> {
  loading ??= SchemaSet.load();
  return loading;
}
