/**
 * A simulated records office log on 127.0.0.1 (the guide's example kind), as its integrator would
 * write it: `POST /log` takes NDJSON lines; `X-Api-Key` and `X-LGSP-Signature` must match (401),
 * `Idempotency-Key` is required (400) and a repeated one is answered 200 without storing twice;
 * a line whose body breaks its type's schema is refused (400). `misbehave` breaks that on purpose.
 */
import express from 'express';
import type { SchemaSet } from '../../../src/contract/schema-set.ts';
import { FaultPlan, startSimulatedSystem } from '../faults.ts';
import type { Misbehaviour } from '../kind-facts.ts';
import { verifySignature } from '../signature.ts';

export interface LogSimulatorOptions {
  readonly apiKey: string;
  readonly signingKey: string;
  readonly schemas: SchemaSet;
}

export async function startLogSimulator(options: LogSimulatorOptions) {
  const faults = new FaultPlan();
  const stored = new Map<string, unknown>();
  let misbehaviour: Misbehaviour = {};

  const app = express();
  app.use(faults.middleware());
  app.post('/log', express.raw({ type: () => true }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (req.get('x-api-key') !== options.apiKey) return void res.status(401).json({ error: 'bad X-Api-Key' });
    if (!verifySignature(body, req.get('x-lgsp-signature'), options.signingKey)) return void res.status(401).json({ error: 'bad X-LGSP-Signature' });
    const key = req.get('idempotency-key');
    if (!key) return void res.status(400).json({ error: 'Idempotency-Key is required' });
    if (stored.has(key)) return void res.status(misbehaviour.failDuplicates ? 409 : 200).json({ duplicate: true });
    let line: { kind?: unknown; body?: unknown };
    try {
      line = JSON.parse(body.toString('utf8')) as typeof line;
    } catch {
      return void res.status(400).json({ error: 'not a JSON line' });
    }
    const issues = options.schemas.validateData(String(line.kind), line.body);
    if (issues.length > 0 && !misbehaviour.acceptPoison) return void res.status(400).json({ error: 'invalid body', issues });
    stored.set(key, line);
    res.status(200).json({ stored: true });
  });

  const system = await startSimulatedSystem(app, faults);
  return {
    ...system,
    endpoint: `${system.url}/log`,
    misbehave: (modes: Misbehaviour) => {
      misbehaviour = { ...modes };
    },
  };
}
