/**
 * The dead-letter API (operators): list and filter, show one with its original bytes, replay one
 * (`POST /v1/dead-letters/{id}:replay`) or many (`POST /v1/dead-letters:replay`, by connector and
 * time range or by ids). Ids are `<partition>:<offset>` on `lgsp.dead-letters`. Both replay routes
 * answer `200 { replayed: [ids], skipped: [{ id, reason }] }`; a failed Kafka transaction is `503`
 * with nothing replayed.
 */
import express, { Router, type RequestHandler } from 'express';
import { HubError } from '../contract/problems.ts';
import type { ValidationIssue } from '../contract/schema-set.ts';
import type { DeadLetterReplayer } from './dead-letter-replay.ts';
import type { DeadLetterQuery, DeadLetterView } from './dead-letter-view.ts';
import type { DeadLetterStage } from './dead-letters.ts';

const STAGES: readonly DeadLetterStage[] = ['decode', 'validate', 'route', 'encode', 'deliver'];
const LETTER_ID = /^\d+:\d+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** One range replay writes at most this many letters (one transaction); the answer says how many remain. */
const MAX_REPLAY = 10_000;

export function deadLettersRoute(view: DeadLetterView, replayer: DeadLetterReplayer, operator: RequestHandler): Router {
  const router = Router();
  router.all(['/v1/dead-letters', '/v1/dead-letters/:target', '/v1/dead-letters\\:replay'], operator);
  const json = express.json({ limit: 1024 * 1024 });

  router.get('/v1/dead-letters', (req, res) => {
    res.json({ deadLetters: view.list(listQuery(req.query as Record<string, unknown>)) });
  });

  router.get('/v1/dead-letters/:target', (req, res) => {
    const id = req.params.target;
    const letter = LETTER_ID.test(id) ? view.get(id) : undefined;
    if (!letter) throw new HubError('not-found', `No dead letter "${id}" (ids are <partition>:<offset>, as GET /v1/dead-letters lists them).`);
    res.json(letter);
  });

  router.post('/v1/dead-letters\\:replay', json, async (req, res) => {
    const selection = replayBody(req.body);
    if (selection.ids) {
      const connectorOf = (id: string) => view.raw(id)?.headers.lgsp_dlq_connector;
      const foreign = selection.ids.filter((id) => selection.connector !== undefined && view.raw(id) && connectorOf(id) !== selection.connector);
      const excluded = new Set(foreign);
      const outcome = await replayer.replay(selection.ids.filter((id) => !excluded.has(id)));
      const elsewhere = foreign.map((id) => ({ id, reason: `belongs to connector "${connectorOf(id) ?? ''}", not "${selection.connector}"` }));
      res.json({ replayed: outcome.replayed, skipped: [...outcome.skipped, ...elsewhere] });
      return;
    }
    // Oldest first, so a recipient receives replayed messages in their original order.
    const pending = view.list({ ...selection, stage: 'deliver', limit: Infinity }).reverse();
    const outcome = await replayer.replay(pending.slice(0, MAX_REPLAY).map((e) => e.id));
    res.json({ ...outcome, ...(pending.length > MAX_REPLAY ? { remaining: pending.length - MAX_REPLAY } : {}) });
  });

  // `{id}:replay` is one path segment (a custom method, as `{id}:rotate` for connectors).
  router.post('/v1/dead-letters/:target', async (req, res) => {
    const id = /^(\d+:\d+):replay$/.exec(req.params.target)?.[1];
    if (!id) throw new HubError('not-found', `No route for POST ${req.path}; did you mean POST /v1/dead-letters/{id}:replay?`);
    if (!view.raw(id)) throw new HubError('not-found', `No dead letter "${id}".`);
    res.json(await replayer.replay([id]));
  });
  return router;
}

/** The query of `GET /v1/dead-letters`; issue paths name the parameter (`/limit`). */
function listQuery(query: Record<string, unknown>): DeadLetterQuery {
  const issues: ValidationIssue[] = [];
  const known = ['connector', 'stage', 'reason', 'from', 'to', 'includeReplayed', 'limit'];
  for (const name of Object.keys(query)) if (!known.includes(name)) issues.push({ path: `/${name}`, message: `unknown parameter; known: ${known.join(', ')}` });
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    issues.push({ path: `/${name}`, message: 'give it once' });
    return undefined;
  };
  const out: DeadLetterQuery = { ...common(text('connector'), text('from'), text('to'), issues), limit: DEFAULT_LIMIT };
  const stage = text('stage');
  if (stage !== undefined) {
    if ((STAGES as readonly string[]).includes(stage)) out.stage = stage;
    else issues.push({ path: '/stage', message: `must be one of ${STAGES.join(', ')}` });
  }
  const reason = text('reason');
  if (reason !== undefined) out.reason = reason;
  const includeReplayed = text('includeReplayed');
  if (includeReplayed !== undefined) {
    if (includeReplayed === 'true' || includeReplayed === 'false') out.includeReplayed = includeReplayed === 'true';
    else issues.push({ path: '/includeReplayed', message: 'must be true or false' });
  }
  const limit = text('limit');
  if (limit !== undefined) {
    if (/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_LIMIT) out.limit = Number(limit);
    else issues.push({ path: '/limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  if (issues.length > 0) throw invalid(issues, 'query');
  return out;
}

interface ReplaySelection {
  connector?: string;
  from?: string;
  to?: string;
  ids?: string[];
}

/** The body of `POST /v1/dead-letters:replay`: `{ connector, from?, to? }` or `{ ids, connector? }`. */
function replayBody(body: unknown): ReplaySelection {
  const issues: ValidationIssue[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid([{ path: '', message: 'expected a JSON object { connector, from?, to?, ids? }' }], 'body');
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) if (!['connector', 'from', 'to', 'ids'].includes(name)) issues.push({ path: `/${name}`, message: 'unknown property' });
  const text = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || typeof value === 'string') return value;
    issues.push({ path: `/${name}`, message: 'must be a string' });
    return undefined;
  };
  const out: ReplaySelection = common(text('connector'), text('from'), text('to'), issues);
  const ids = fields.ids;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_REPLAY) issues.push({ path: '/ids', message: `must be a list of 1 to ${MAX_REPLAY} dead-letter ids` });
    else {
      ids.forEach((id: unknown, i) => {
        if (typeof id !== 'string' || !LETTER_ID.test(id)) issues.push({ path: `/ids/${i}`, message: 'must be a dead-letter id <partition>:<offset>' });
      });
      out.ids = ids as string[];
    }
    if (out.from !== undefined || out.to !== undefined) issues.push({ path: out.from !== undefined ? '/from' : '/to', message: 'give either ids or a time range' });
  } else if (fields.connector === undefined) {
    issues.push({ path: '/connector', message: 'required (or give ids)' });
  }
  if (issues.length > 0) throw invalid(issues, 'body');
  return out;
}

/** `connector`, `from`, `to`, shared by the list query and the replay body. */
function common(connector: string | undefined, from: string | undefined, to: string | undefined, issues: ValidationIssue[]): { connector?: string; from?: string; to?: string } {
  const out: { connector?: string; from?: string; to?: string } = {};
  if (connector !== undefined) {
    if (connector.length > 0) out.connector = connector;
    else issues.push({ path: '/connector', message: 'must not be empty' });
  }
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value === undefined) continue;
    if (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) out[name] = value;
    else issues.push({ path: `/${name}`, message: 'must be an ISO 8601 time, e.g. 2025-07-01T00:00:00Z' });
  }
  if (out.from && out.to && Date.parse(out.from) > Date.parse(out.to)) issues.push({ path: '/to', message: 'must not be before from' });
  return out;
}

function invalid(errors: ValidationIssue[], where: 'query' | 'body'): HubError {
  return new HubError('validation-failed', `${errors.length} problem(s) in the ${where}; see "errors".`, { errors });
}
