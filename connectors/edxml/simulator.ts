/**
 * A simulated e-office system that receives edXML over HTTP push, on 127.0.0.1, for tests and the
 * demo. `POST /edxml` with an edXML package:
 * - decoded with the codec; an `EdxmlError` answers 400 `{ code, path, message }`, and so does
 *   an event whose `data` breaks its schema (`SchemaSet`; code `INVALID_DATA`);
 * - a repeated `Idempotency-Key` answers 200 `{ duplicate: true }` and records nothing (the hub
 *   retries with the same key);
 * - else 200 `{ received: <n events> }`, the events recorded in order (`received()`), with the
 *   signature header as sent (`requests()`), for a test to verify.
 * Transport trouble comes from `faults` (kit/faults.ts) and from `close()` / `restart()`.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { FaultPlan, startSimulatedSystem, type SimulatorTls } from '../kit/faults.ts';
import { decodeEdxml, EdxmlError } from './codec.ts';

export interface EofficeSimulatorOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Validates decoded `data`; default: `SchemaSet.load()`, once per process. */
  schemas?: SchemaSet;
  /** Serve https (with a required client certificate when `clientCa` is set). */
  tls?: SimulatorTls;
}

/** Ways to break the contract on purpose, for the conformance kit's own tests. */
export interface EofficeMisbehaviour {
  /** Answer 200 to a package that does not decode or whose data breaks its schema (instead of 400). */
  acceptPoison?: boolean;
  /** Answer 500 to a repeated Idempotency-Key (instead of 200). */
  failDuplicates?: boolean;
}

/** One accepted POST (duplicates and refusals are not recorded). */
export interface EofficeRequest {
  readonly idempotencyKey?: string;
  readonly signature?: string;
  readonly contentType?: string;
  readonly body: Buffer;
}

export interface EofficeSimulator {
  readonly url: string;
  /** `${url}/edxml`: the manifest endpoint. */
  readonly endpoint: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Every POST received, faulted, refused and duplicate ones included. */
  readonly counts: { total: number; refused: number; duplicates: number };
  /** Decoded events, in the order their packages were accepted. */
  received(): CloudEvent[];
  requests(): EofficeRequest[];
  /** Replaces the misbehaviour; `{}` behaves again. */
  misbehave(modes: EofficeMisbehaviour): void;
  close(): Promise<void>;
  restart(): Promise<void>;
}

export async function startEofficeSimulator(options: EofficeSimulatorOptions = {}): Promise<EofficeSimulator> {
  const faults = new FaultPlan();
  const counts = { total: 0, refused: 0, duplicates: 0 };
  const events: CloudEvent[] = [];
  const accepted: EofficeRequest[] = [];
  const keys = new Set<string>();
  const schemas = options.schemas ?? (await sharedSchemas());
  let misbehaviour: EofficeMisbehaviour = {};

  const app = express();
  app.use((_req, _res, next) => {
    counts.total += 1;
    next();
  });
  app.use(faults.middleware());
  app.post('/edxml', express.raw({ type: () => true, limit: '32mb' }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const key = req.get('Idempotency-Key');
    if (key !== undefined && keys.has(key)) {
      counts.duplicates += 1;
      if (misbehaviour.failDuplicates) return void res.status(500).json({ code: 'DUPLICATE', message: 'Idempotency-Key seen before' });
      return void res.json({ duplicate: true });
    }
    let decoded: CloudEvent[];
    try {
      decoded = decodeEdxml(body);
    } catch (err) {
      if (!(err instanceof EdxmlError)) throw err;
      if (misbehaviour.acceptPoison) return void res.json({ received: 0 });
      counts.refused += 1;
      return void res.status(400).json({ code: err.code, path: err.path, message: err.message });
    }
    const issue = decoded.flatMap((e) => schemas.validateData(e.type, e.data, e.dataschema))[0];
    if (issue && !misbehaviour.acceptPoison) {
      counts.refused += 1;
      return void res.status(400).json({ code: 'INVALID_DATA', path: issue.path, message: issue.message });
    }
    if (key !== undefined) keys.add(key);
    events.push(...decoded);
    accepted.push({ idempotencyKey: key, signature: req.get('X-LGSP-Signature'), contentType: req.get('content-type'), body });
    res.json({ received: decoded.length });
  });
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 400).json({ code: 'INVALID_REQUEST', message: err.message });
  });

  const system = await startSimulatedSystem(app, faults, options.port, options.tls);
  return {
    ...system,
    endpoint: `${system.url}/edxml`,
    counts,
    received: () => [...events],
    requests: () => [...accepted],
    misbehave: (modes) => {
      misbehaviour = { ...modes };
    },
  };
}

let loading: Promise<SchemaSet> | undefined;
function sharedSchemas(): Promise<SchemaSet> {
  loading ??= SchemaSet.load();
  return loading;
}
