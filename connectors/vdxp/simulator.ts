/**
 * A simulated national document exchange axis (VDXP) on 127.0.0.1: a pull mailbox per organ, with
 * the four calls of `client.ts` (the HTTP shape is documented there).
 * - `deposit(organId, edxml)` puts a package in an organ's mailbox (as another ministry would),
 *   listed as sent by the package's own From/OrganId; `deposit(organId, edxml, { from })` lists
 *   another sender, the account that really sent it: with a From naming someone else, a spoofed
 *   package (the poller refuses it);
 *   `getReceivedEdocList` lists the organ's *pending* packages in deposit order; `getEdoc` returns any
 *   known package; `updateStatus` moves it to `done` or `fail` (once: a second acknowledgement of
 *   the same package answers 409), after which it is no longer listed.
 * - `sendEdoc` decodes the package with the edXML codec (400 `{ status: 'FAIL' }` on an
 *   `EdxmlError`, or when an event's `data` breaks its schema: `SchemaSet`) and records it in
 *   `sent()`; a repeated `Idempotency-Key` answers the first docId and records nothing.
 *   `misbehave` breaks that on purpose for the conformance kit's tests.
 * - Wrong `systemId`/`secret` headers answer 401.
 * Transport trouble: `faults` applies to every route; `holdAcknowledgements(true)` makes
 * `updateStatus` hang (nothing is acknowledged) until `holdAcknowledgements(false)` lets the held
 * calls through (those whose client is still there). `close()` / `restart()`: the axis down (held
 * calls dropped unanswered, faults and holds cleared), then back on its port, mailboxes intact.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { sourceAgency, type CloudEvent } from '../../src/contract/cloud-event.ts';
import { decodeEdxml, EdxmlError } from '../edxml/codec.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { FaultPlan, startSimulatedSystem, type SimulatorTls } from '../kit/faults.ts';
import type { VdxpMessageType } from './client.ts';

export interface AxisSimulatorOptions {
  systemId?: string;
  secret?: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Validates the data of sent packages; default: `SchemaSet.load()`, once per process. */
  schemas?: SchemaSet;
  /** Serve https (with a required client certificate when `clientCa` is set). */
  tls?: SimulatorTls;
}

/** Ways to break the contract on purpose, for the conformance kit's own tests. */
export interface AxisMisbehaviour {
  /** Answer OK to a package that does not decode or whose data breaks its schema (instead of 400). */
  acceptPoison?: boolean;
  /** Answer 409 to a repeated Idempotency-Key (instead of the first docId). */
  failDuplicates?: boolean;
}

export type AckState = 'pending' | 'done' | 'fail';

/** A package the hub sent with `sendEdoc`. */
export interface SentEdoc {
  readonly docId: string;
  readonly header: { readonly from: string; readonly to?: readonly string[]; readonly servicetype: string; readonly messagetype: string };
  readonly events: CloudEvent[];
}

export interface AxisSimulator {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Requests received per route (faulted ones included). */
  readonly requests: { sendEdoc: number; getReceivedEdocList: number; getEdoc: number; updateStatus: number };
  /**
   * Puts a package in `organId`'s mailbox; returns its docId. `from`: the sender the listing names
   * (the axis account that sent it); default: the package's From/OrganId ("unknown" when it does
   * not decode).
   */
  deposit(organId: string, edxml: string | Buffer, options?: { from?: string; messagetype?: VdxpMessageType }): string;
  /** The acknowledgement state of a deposited package; undefined for an unknown docId. */
  status(docId: string): AckState | undefined;
  /** Packages received with `sendEdoc`, decoded, in order. */
  sent(): SentEdoc[];
  /** true: `updateStatus` calls hang; false: held calls go on and new ones answer. */
  holdAcknowledgements(hold: boolean): void;
  /** Replaces the misbehaviour; `{}` behaves again. */
  misbehave(modes: AxisMisbehaviour): void;
  close(): Promise<void>;
  restart(): Promise<void>;
}

interface StoredDoc {
  readonly docId: string;
  readonly organId: string;
  readonly from: string;
  readonly messagetype: VdxpMessageType;
  readonly created: string;
  readonly file: Buffer;
  state: AckState;
}

export async function startAxisSimulator(options: AxisSimulatorOptions = {}): Promise<AxisSimulator> {
  const creds = { systemId: options.systemId ?? 'lgsp-h49', secret: options.secret ?? 'secret' };
  const faults = new FaultPlan();
  const ackFaults = new FaultPlan();
  const requests = { sendEdoc: 0, getReceivedEdocList: 0, getEdoc: 0, updateStatus: 0 };
  const docs = new Map<string, StoredDoc>();
  const sent: SentEdoc[] = [];
  const byIdempotencyKey = new Map<string, string>();
  const schemas = options.schemas ?? (await sharedSchemas());
  let misbehaviour: AxisMisbehaviour = {};

  const app = express();
  app.use((req, _res, next) => {
    const route = req.path.split('/')[1] ?? '';
    if (Object.hasOwn(requests, route)) requests[route as keyof typeof requests] += 1;
    next();
  });
  app.use(faults.middleware());
  app.use((req, res, next) => {
    if (req.get('systemId') === creds.systemId && req.get('secret') === creds.secret) return next();
    fail(res, 401, 'AUTH_FAILED', 'Sai systemId hoặc secret');
  });
  app.use(express.json({ limit: '32mb' }));

  app.post('/sendEdoc', (req, res) => {
    const { header, file } = record(req.body);
    const h = record(header);
    if (typeof h.from !== 'string' || h.servicetype !== 'eDoc' || (h.messagetype !== 'edoc' && h.messagetype !== 'status')) {
      return fail(res, 400, 'INVALID_HEADER', 'header: from, servicetype "eDoc", messagetype "edoc"|"status" bắt buộc');
    }
    if (h.to !== undefined && !(Array.isArray(h.to) && h.to.every((t) => typeof t === 'string'))) {
      return fail(res, 400, 'INVALID_HEADER', 'header.to: danh sách mã đơn vị');
    }
    if (typeof file !== 'string') return fail(res, 400, 'INVALID_FILE', 'file: edXML base64 bắt buộc');
    const key = req.get('Idempotency-Key');
    const known = key === undefined ? undefined : byIdempotencyKey.get(key);
    if (known && misbehaviour.failDuplicates) return fail(res, 409, 'DUPLICATE', 'Văn bản đã được gửi');
    if (known) return void res.json({ status: 'OK', docId: known });
    let events: CloudEvent[];
    try {
      events = decodeEdxml(Buffer.from(file, 'base64'));
    } catch (err) {
      if (!(err instanceof EdxmlError)) throw err;
      if (misbehaviour.acceptPoison) return void res.json({ status: 'OK', docId: randomUUID() });
      return fail(res, 400, err.code, `${err.path}: ${err.message}`);
    }
    const issue = events.flatMap((e) => schemas.validateData(e.type, e.data, e.dataschema))[0];
    if (issue && !misbehaviour.acceptPoison) return fail(res, 400, 'INVALID_DATA', `${issue.path}: ${issue.message}`);
    const docId = randomUUID();
    if (key !== undefined) byIdempotencyKey.set(key, docId);
    const to = h.to as string[] | undefined;
    sent.push({ docId, header: { from: h.from, ...(to ? { to } : {}), servicetype: h.servicetype, messagetype: h.messagetype }, events });
    res.json({ status: 'OK', docId });
  });

  app.get('/getReceivedEdocList', (req, res) => {
    const organId = req.query.organId;
    if (typeof organId !== 'string' || organId === '') return fail(res, 400, 'INVALID_ORGAN', 'organId bắt buộc');
    const list = [...docs.values()].filter((d) => d.organId === organId && d.state === 'pending');
    res.json({ docs: list.map(({ docId, from, messagetype, created }) => ({ docId, from, messagetype, created })) });
  });

  app.get('/getEdoc/:docId', (req, res) => {
    const doc = docs.get(String(req.params.docId));
    if (!doc) return fail(res, 404, 'DOC_NOT_FOUND', 'Không tìm thấy văn bản');
    res.json({ docId: doc.docId, file: doc.file.toString('base64') });
  });

  app.post('/updateStatus', ackFaults.middleware(), (req, res) => {
    const { docId, status } = record(req.body);
    const doc = typeof docId === 'string' ? docs.get(docId) : undefined;
    if (!doc) return fail(res, 404, 'DOC_NOT_FOUND', 'Không tìm thấy văn bản');
    if (status !== 'done' && status !== 'fail') return fail(res, 400, 'INVALID_STATUS', 'status: "done" hoặc "fail"');
    if (doc.state !== 'pending') return fail(res, 409, 'ALREADY_ACKNOWLEDGED', `Văn bản đã được cập nhật trạng thái ${doc.state}`);
    doc.state = status;
    res.json({ status: 'OK' });
  });

  // Unparseable JSON and other request errors.
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    fail(res, err.status ?? 400, 'INVALID_REQUEST', err.message);
  });

  const system = await startSimulatedSystem(app, faults, options.port, options.tls);
  return {
    ...system,
    requests,
    deposit(organId, edxml, opts = {}) {
      const docId = randomUUID();
      docs.set(docId, {
        docId,
        organId,
        from: opts.from ?? fromOf(Buffer.from(edxml)),
        messagetype: opts.messagetype ?? 'edoc',
        created: new Date().toISOString(),
        file: Buffer.from(edxml),
        state: 'pending',
      });
      return docId;
    },
    status: (docId) => docs.get(docId)?.state,
    sent: () => sent.map((s) => ({ ...s, events: [...s.events] })),
    holdAcknowledgements(hold) {
      if (hold) ackFaults.set({ kind: 'hang' });
      else ackFaults.clear();
    },
    misbehave: (modes) => {
      misbehaviour = { ...modes };
    },
    close: async () => {
      await system.close(); // held calls die with their connections
      ackFaults.clear();
    },
  };
}

/** The From/OrganId of a package, as an honest sender's account would be listed. */
function fromOf(edxml: Buffer): string {
  try {
    const [first] = decodeEdxml(edxml);
    return (first && sourceAgency(first.source)) ?? 'unknown';
  } catch (err) {
    if (!(err instanceof EdxmlError)) throw err;
    return 'unknown';
  }
}

function fail(res: Response, status: number, errorCode: string, errorDesc: string): void {
  res.status(status).json({ status: 'FAIL', errorCode, errorDesc });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

let loading: Promise<SchemaSet> | undefined;
function sharedSchemas(): Promise<SchemaSet> {
  loading ??= SchemaSet.load();
  return loading;
}
