/**
 * `npm run conformance -- --connector <id> [--hub <url>] [--token <connector token>]
 * [--settings <file.json>] [--json]`: runs the conformance kit (connectors/kit/conformance.ts)
 * against a registered connector's endpoint, before it goes live (docs/conformance.md).
 *
 * This is a client of the hub, not the hub: it reads its own environment here, outside
 * `src/config` on purpose (that module validates the hub's configuration and would demand the
 * hub's variables). Defaults: `LGSP_HUB_URL` (else http://127.0.0.1:8080), `LGSP_ADMIN_TOKEN`
 * (the operator token, to read the manifest: `GET /v1/connectors/{id}`), `LGSP_CONNECTOR_TOKEN`
 * (the connector's own token, from which the hub's signing key is derived).
 *
 * Exit codes: 0 every check passed, 1 a check failed, 2 usage or connection trouble (the message
 * says what to do).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import axios, { isAxiosError } from 'axios';
import { ADAPTERS } from '../../connectors/index.ts';
import { conformanceSender, formatReport, runConformance } from '../../connectors/kit/conformance.ts';
import { SchemaSet, type ConnectorManifest } from '../contract/schema-set.ts';
import { hubUrlOf } from './http-client.ts';
import { isMainModule, processIo, type CliIo } from './output.ts';

export const EXIT = { passed: 0, failed: 1, usage: 2 } as const;

const HIDDEN = '(hidden)';
const USAGE = `usage: npm run conformance -- --connector <id> [--hub <url>] [--token <connector token>] [--settings <file.json>] [--json]
  --connector  the registered connector to check (required)
  --hub        the hub's base URL (default: LGSP_HUB_URL, else http://127.0.0.1:8080)
  --token      the connector's token (default: LGSP_CONNECTOR_TOKEN); the hub signs deliveries with a key derived from it
  --settings   a JSON object of settings the hub shows as "(hidden)" (e.g. {"password": "..."})
  --json       print the report as JSON
environment: LGSP_ADMIN_TOKEN (required: the operator token, to read the manifest)`;

/** A problem the user fixes (exit 2); the message says how. */
class UsageError extends Error {}

/** Runs the command; resolves with the exit code. Never rejects for the user's or the network's trouble. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parse(argv);
    if (args.help) {
      io.out(USAGE);
      return EXIT.passed;
    }
    const hub = hubUrlOf(args.hub, io.env);
    const adminToken = io.env.LGSP_ADMIN_TOKEN;
    if (!adminToken) throw new UsageError('LGSP_ADMIN_TOKEN is not set: export the operator token the hub printed at start (it reads the manifest).');
    const token = args.token ?? io.env.LGSP_CONNECTOR_TOKEN;
    const extra = args.settings === undefined ? undefined : await readSettings(args.settings);

    const schemas = await SchemaSet.load();
    const manifest = await fetchManifest(hub, args.connector, adminToken, schemas, extra);
    const adapter = ADAPTERS.find((a) => a.kind === manifest.kind);
    if (!adapter)
      throw new UsageError(
        `connector ${manifest.id} has kind "${manifest.kind}", which this tool does not know (known: ${ADAPTERS.map((a) => a.kind).join(', ')}); update lgsp-hub.`,
      );
    let sender;
    try {
      sender = conformanceSender(adapter, manifest, { ...(token ? { token } : {}) });
    } catch (err) {
      const hint = token ? '' : ' Pass the connector token with --token or LGSP_CONNECTOR_TOKEN.';
      throw new UsageError(`cannot build the ${manifest.kind} sender: ${(err as Error).message}.${hint}`);
    }
    try {
      const report = await runConformance({ manifest, schemas, ...(sender ? { sender } : {}) });
      io.out(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
      return report.passed ? EXIT.passed : EXIT.failed;
    } finally {
      await sender?.close();
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`conformance: ${err.message}`);
    return EXIT.usage;
  }
}

function parse(argv: readonly string[]): { connector: string; hub?: string; token?: string; settings?: string; json: boolean; help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        connector: { type: 'string' },
        hub: { type: 'string' },
        token: { type: 'string' },
        settings: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (!values.connector && !values.help) throw new UsageError(`--connector <id> is required\n${USAGE}`);
  return {
    connector: values.connector ?? '',
    json: values.json ?? false,
    help: values.help ?? false,
    ...(values.hub === undefined ? {} : { hub: values.hub }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.settings === undefined ? {} : { settings: values.settings }),
  };
}

async function readSettings(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--settings ${file}: ${(err as Error).message}; give a JSON object such as {"password": "..."}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--settings ${file} must hold a JSON object of settings.`);
  return parsed as Record<string, unknown>;
}

/** `GET /v1/connectors/{id}`, with `extra` settings over the hidden ones, checked against the manifest schema. */
async function fetchManifest(hub: string, id: string, adminToken: string, schemas: SchemaSet, extra?: Record<string, unknown>): Promise<ConnectorManifest> {
  let res;
  try {
    res = await axios.get<unknown>(`${hub}/v1/connectors/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json' },
      validateStatus: () => true,
      timeout: 10_000,
    });
  } catch (err) {
    const code = isAxiosError(err) ? (err.code ?? err.message) : (err as Error).message;
    throw new UsageError(`cannot reach the hub at ${hub} (${code}): start it, or pass --hub / set LGSP_HUB_URL.`);
  }
  if (res.status === 401 || res.status === 403)
    throw new UsageError(`the hub refused LGSP_ADMIN_TOKEN (HTTP ${res.status}): use the operator token the hub was started with.`);
  if (res.status === 404) throw new UsageError(`no connector "${id}" is registered at ${hub}: check the id (GET /v1/connectors lists them).`);
  if (res.status !== 200) throw new UsageError(`the hub answered HTTP ${res.status} to GET /v1/connectors/${id}: ${JSON.stringify(res.data).slice(0, 300)}`);
  const { createdAt: _c, updatedAt: _u, ...body } = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as Record<string, unknown>;
  const settings = { ...(body.settings as Record<string, unknown> | undefined), ...extra };
  const hidden = Object.entries(settings)
    .filter(([, v]) => v === HIDDEN)
    .map(([k]) => k);
  if (hidden.length > 0) {
    throw new UsageError(
      `setting(s) ${hidden.join(', ')} of ${id}: secret, shown by the hub as "(hidden)": pass --settings <file.json> with ${JSON.stringify(Object.fromEntries(hidden.map((k) => [k, '...'])))}.`,
    );
  }
  const { manifest, issues } = schemas.validateConnector({ ...body, ...(Object.keys(settings).length > 0 ? { settings } : {}) });
  if (!manifest) throw new UsageError(`the hub's answer for ${id} is not a connector manifest: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  return manifest;
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`conformance: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = EXIT.usage;
    },
  );
}
