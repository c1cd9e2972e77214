/**
 * The front-door fuzz suite: bad and odd requests for every route of the route table (read from
 * the hub's own `/openapi.json`), sent as raw bytes to a real hub on the real broker, with valid
 * control messages around them. Invariants: never a 5xx; every 4xx is problem+json from the
 * catalogue; nothing invalid reaches Kafka or a recipient; the controls are still delivered; the
 * process stays healthy and its memory returns to baseline.
 *
 * `npm test` runs a fixed seed and a bounded count. Long mode: `LGSP_FUZZ_SECONDS=600` (random
 * seed unless `LGSP_FUZZ_SEED` is set) runs for that long; the seed and counts are printed.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_BASE_URI, PROBLEMS } from '../../src/contract/problems.ts';
import { fromKafkaMessage } from '../../src/contract/kafka-binding.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { startTestHub, testConfig, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { readTopic } from '../helpers/kafka.ts';
import { documentSent, post, SENDER, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { requestBytes, sendRaw, type RawRequest, type RawResponse } from '../helpers/raw-http.ts';
import { badRequest, nearValidMessage, operationsOf } from './requests.ts';

const LONG_SECONDS = Number(process.env.LGSP_FUZZ_SECONDS ?? 0);
const SEED = Number(process.env.LGSP_FUZZ_SEED ?? (LONG_SECONDS > 0 ? Date.now() % 2 ** 31 : 20261201));
const RUNS = LONG_SECONDS > 0 ? 10_000_000 : Number(process.env.LGSP_FUZZ_RUNS ?? 600);
const PROBLEM_TYPES = new Set(Object.keys(PROBLEMS).map((code) => `${PROBLEM_BASE_URI}${code}`));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const problemType = (res: RawResponse) => /"type":"[^"]*\/([a-z-]+)"/.exec(res.body.toString('utf8'))?.[1] ?? '';

/** What is wrong with an answer, or undefined when it keeps the front door's promises. */
function brokenPromise(request: RawRequest, res: RawResponse): string | undefined {
  if (res.status >= 500) return `answered ${res.status}`;
  if (res.status < 400 || request.method === 'HEAD') return undefined;
  if (!(res.headers['content-type'] ?? '').startsWith('application/problem+json')) return `a ${res.status} with content-type "${res.headers['content-type']}"`;
  let problem: { type?: unknown; status?: unknown };
  try {
    problem = JSON.parse(res.body.toString('utf8')) as typeof problem;
  } catch {
    return `a ${res.status} whose problem body is not JSON`;
  }
  if (!PROBLEM_TYPES.has(problem.type as string)) return `problem type ${String(problem.type)} is not in the catalogue`;
  if (problem.status !== res.status) return `problem status ${String(problem.status)} differs from HTTP ${res.status}`;
  return undefined;
}

describe('the front door under fuzzing', () => {
  let hub: Hub;
  let schemas: SchemaSet;
  let tokens: { sender: string; other: string };
  let recipient: AgencySystem;
  const counts = new Map<number, number>();
  const controls: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RATE_LIMIT: '0', LGSP_MAX_BODY_BYTES: String(2 * 2 ** 20), LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    schemas = await SchemaSet.load();
    tokens = await seedSenders(hub.url);
    recipient = await addAgencySystem(hub.url, 'qn-fuzz-recipient', '000.01.09.H49');
  });
  afterAll(async () => {
    await recipient?.sim.close();
    await hub?.close();
  });

  const sendControl = async () => {
    const message = documentSent({ to: recipient.agency });
    const res = await post(hub.url, message, { token: tokens.sender });
    expect(res.status).toBe(202);
    controls.push(message.id as string);
  };

  it(
    `answers every bad request with a 4xx problem from the catalogue, never a 5xx (seed ${SEED})`,
    { timeout: Math.max(240_000, LONG_SECONDS * 1000 + 120_000) },
    async () => {
      const doc = (await (await fetch(`${hub.url}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0];
      const operations = operationsOf(doc);
      expect(operations.length).toBeGreaterThan(10);
      await sendControl();
      for (let i = 0; i < 20; i++) await fetch(`${hub.url}/healthz`); // warm up before the baseline
      const baseline = heapMb();

      // Every broken promise is collected (not thrown), so one run reports each distinct cause once.
      const host = new URL(hub.url).host;
      const broken = new Map<string, string>();
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 4, arbitrary: badRequest(operations, { operator: TEST_ADMIN_TOKEN, connectors: [tokens.sender, tokens.other] }) },
            { weight: 1, arbitrary: nearValidMessage(SENDER.agency, tokens.sender) },
          ),
          async (request) => {
            const res = await sendRaw(hub.url, requestBytes(request, host));
            counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
            if (process.env.LGSP_FUZZ_VERBOSE) console.log(`${res.status} ${request.method} ${request.target.slice(0, 50)} ${problemType(res)}`);
            if (++sent % 100 === 0) await sendControl();
            const why = brokenPromise(request, res);
            const route = request.target.split(/[?/]/).slice(0, 3).join('/');
            if (why && !broken.has(`${route} ${why}`))
              broken.set(
                `${route} ${why}`,
                `${request.method} ${request.target.slice(0, 120)} [${request.headers.map(([n, v]) => `${n}: ${v.slice(0, 60)}`).join('; ')}] body ${request.body?.subarray(0, 120).toString('utf8') ?? '-'} → ${res.body.toString('utf8').slice(0, 300)}`,
              );
          },
        ),
        { seed: SEED, numRuns: RUNS, ...(LONG_SECONDS > 0 ? { interruptAfterTimeLimit: LONG_SECONDS * 1000, markInterruptAsFailure: false } : {}) },
      );
      await sendControl();
      console.log(`fuzz: seed ${SEED}, ${sent} requests; by status ${JSON.stringify(Object.fromEntries([...counts].sort(([a], [b]) => a - b)))}`);
      expect([...broken].map(([why, example]) => `${why}\n    e.g. ${example}`).join('\n')).toBe('');

      await waitFor('every control message at its recipient', () => controls.every((id) => receivedIds(recipient).includes(id)), 30_000);
      expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
      const after = heapMb();
      console.log(`fuzz: heap ${baseline.toFixed(1)} MB before, ${after.toFixed(1)} MB after`);
      expect(after - baseline).toBeLessThan(64);
    },
  );

  it('wrote nothing invalid to Kafka and delivered nothing invalid', async () => {
    const records = await readTopic(hub.topics.ingress);
    expect(records.length).toBeGreaterThanOrEqual(controls.length);
    for (const record of records) {
      const { event } = fromKafkaMessage({ value: record.value === null ? null : Buffer.from(record.value), headers: record.headers });
      expect(schemas.validateEnvelope(event), `ingress record ${record.partition}:${record.offset}`).toEqual([]);
      expect(schemas.validateData(event.type, event.data, event.dataschema)).toEqual([]);
    }
    for (const { event } of recipient.sim.received()) {
      expect(schemas.validateEnvelope(event)).toEqual([]);
    }
  });
});
