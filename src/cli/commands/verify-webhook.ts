/**
 * `lgsp verify-webhook --headers <file> --body <file> [--token <token> | --secret whsec_…] [--at <unix seconds>]`:
 * checks a captured request (a delivery of the hub, or a request an `hmac-sha256` connector
 * signed) offline, without asking the hub, and says what the signature covered and, when it
 * fails, why (`connectors/kit/webhook-verifier.ts`): an integrator debugging a 401 sees whether
 * the key, the clock, a `ce-*` header or the body bytes are at fault.
 *
 * `--headers` is a JSON object of headers (as a server logs `req.headers`) or raw `Name: value`
 * lines (as `curl -D`, a proxy or a packet capture prints them; a request line is skipped);
 * `--body` is the exact body bytes. The key is the connector token's (`--token`, else
 * `LGSP_CONNECTOR_TOKEN`) or a Standard Webhooks secret (`--secret`). `--at` checks the window as of
 * another time (when the request was captured) instead of now. Exit 0 verified, 1 not verified.
 */
import { readFile } from 'node:fs/promises';
import { ceBlock, SIGNATURE_HEADER, signingKeyOf, signingKeyOfSecret, verifySignature, WEBHOOK_HEADERS } from '../../../connectors/kit/signature.ts';
import { verifyWebhook, WebhookVerificationError } from '../../../connectors/kit/webhook-verifier.ts';
import { CliFailure, EXIT, fields, json, plural, usageError } from '../output.ts';
import { connectorToken, positionals, readText, stringOption, type Command, type CommandContext } from './command.ts';

export const verifyWebhookCommand: Command = {
  words: ['verify-webhook'],
  usage: '--headers <file> --body <file> [--token <token> | --secret whsec_…] [--at <unix seconds>]',
  summary: 'check the signature of a captured request (the hub delivery or a signed connector request), offline',
  options: { headers: { type: 'string' }, body: { type: 'string' }, token: { type: 'string' }, secret: { type: 'string' }, at: { type: 'string' } },
  async run(ctx) {
    positionals(ctx, this, []);
    const [headersFile, bodyFile] = [stringOption(ctx, 'headers'), stringOption(ctx, 'body')];
    if (!headersFile || !bodyFile) throw usageError('verify-webhook needs --headers <file> and --body <file>', `lgsp verify-webhook ${this.usage}`);
    const signingKey = keyOf(ctx);
    const headers = parseHeaders(headersFile, await readText(headersFile));
    const body = await readBytes(bodyFile);
    const now = nowOf(ctx);
    const v1 = headers[SIGNATURE_HEADER.toLowerCase()] === undefined ? undefined : verifySignature(body, headers[SIGNATURE_HEADER.toLowerCase()], signingKey);
    let verified: { id: string; timestamp: number } | undefined;
    let failure: WebhookVerificationError | undefined;
    try {
      verified = verifyWebhook({ signingKey, headers, body, now });
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      failure = err;
    }
    const covered = ceBlock(headers).trimEnd();
    if (ctx.json) {
      ctx.io.out(
        json({ v2: verified ? { verified: true, ...verified } : { verified: false, failure: failure?.code, detail: failure?.message }, v1: v1 ?? null }),
      );
    } else {
      ctx.io.out(
        fields([
          [
            'v2 signature',
            verified ? `verified (webhook-id ${verified.id}, signed ${new Date(verified.timestamp).toISOString()})` : `${failure?.code}: ${failure?.message}`,
          ],
          ['covers', ['webhook-id, webhook-timestamp', ...(covered ? [covered] : []), plural(body.length, 'body byte')].join('\n')],
          ['v1 signature', v1 === undefined ? undefined : v1 ? 'verified (X-LGSP-Signature, body only; deprecated)' : 'does not match (X-LGSP-Signature)'],
        ]),
      );
    }
    if (!verified) throw new CliFailure(EXIT.refused, ['the v2 signature does not verify'], hintFor(failure?.code));
  },
};

function hintFor(code: WebhookVerificationError['code'] | undefined): string {
  switch (code) {
    case 'missing-header':
      return `capture ${Object.values(WEBHOOK_HEADERS).join(', ')} with the request (the connector's delivery.signatureVersions must include "v2").`;
    case 'outside-window':
      return 'a capture older than 5 minutes is refused by design: pass --at <its webhook-timestamp> to check the rest; else set the clock right (NTP).';
    default:
      return 'check the token (after a rotation the new one signs), then that the body file holds the exact bytes received (no reformatting, no added newline) and the ce-* headers are as received.';
  }
}

function keyOf(ctx: CommandContext): string {
  const secret = stringOption(ctx, 'secret');
  if (secret !== undefined) {
    const key = signingKeyOfSecret(secret);
    if (!key)
      throw usageError('--secret is not the Standard Webhooks secret of a connector (whsec_<base64>)', 'pass the connector token with --token instead.');
    return key;
  }
  const token = connectorToken(ctx);
  if (!token) throw usageError('no key to verify with', 'pass the connector token with --token (or LGSP_CONNECTOR_TOKEN), or --secret whsec_….');
  return signingKeyOf(token.token);
}

function nowOf(ctx: CommandContext): number {
  const at = stringOption(ctx, 'at');
  if (at === undefined) return Date.now();
  if (!/^\d{1,12}$/.test(at)) throw usageError(`--at "${at}" is not Unix seconds`, 'pass e.g. the webhook-timestamp of the capture.');
  return Number(at) * 1000;
}

/** A JSON object of headers, or `Name: value` lines; names in lower case. */
export function parseHeaders(file: string, text: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw usageError(`${file} is not valid JSON: ${(err as Error).message}`, 'give a JSON object of headers, or Name: value lines.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError(`${file} is not a JSON object of headers`);
    return Object.fromEntries(Object.entries(value).map(([name, v]) => [name.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v)]));
  }
  const headers: Record<string, string> = {};
  for (const line of trimmed.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) continue; // the request or status line, a blank line
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (Object.keys(headers).length === 0) throw usageError(`${file} has no headers`, 'give a JSON object of headers, or Name: value lines.');
  return headers;
}

/** The exact bytes of a local file; a missing or unreadable file is a usage error. */
export async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check the path of the body file.');
  }
}
