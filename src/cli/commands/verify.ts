/**
 * `lgsp verify (--trace <hub id> | --file <trace.json | headers>) [--data <file>] [--jwks <file>]`:
 * checks the hub's signature on a message (docs/signatures.md) and says what it proves: who handed
 * in which message, from which source, accepted when, signed by which key; or why it proves
 * nothing. The signed claims must agree with what the trace (fetched with `--token`, else
 * LGSP_ADMIN_TOKEN, else LGSP_CONNECTOR_TOKEN, or saved with `lgsp trace --json`) or the delivery's
 * headers (a JSON object or `Name: value` lines, `ce-*` percent-decoded) say, and `--data` (the
 * exact bytes of `data`: the body of a binary-mode delivery) must hash to the signed SHA-256. The
 * keys come from the hub's `/.well-known/jwks.json`, or `--jwks` offline. A trace of a signed
 * message also carries the sender's own signature and the registered key that verified it: that
 * must verify too, over the same message and data as the hub's (the chain of custody). Exit 0
 * proven, 1 not.
 */
import type { JSONWebKeySet } from 'jose';
import {
  CLAIM_ATTRIBUTES,
  differences,
  HUB_SIGNATURE_HTTP_HEADER,
  HubSignatureError,
  sha256Hex,
  verifyHubSignature,
  type ClaimAttribute,
  type Difference,
  type VerifiedSignature,
} from '../../contract/hub-signature.ts';
import { SENDER_SIGNATURE_HTTP_HEADER, SenderSignatureError, verifySenderSignature, type SenderPublicKey } from '../../contract/sender-signature.ts';
import type { Trace } from '../../tracking/trace.ts';
import { CliFailure, EXIT, fields, json, usageError } from '../output.ts';
import { parseJsonFile, positionals, readText, stringOption, type Command, type CommandContext } from './command.ts';
import { credentialFor, hubIdOf } from './trace.ts';
import { parseHeaders, readBytes } from './verify-webhook.ts';

/** What was received or recorded, to hold the signed claims against. */
interface Evidence {
  /** Where it came from, for the output: "the trace", "the headers in <file>". */
  readonly from: string;
  readonly jws: string | undefined;
  readonly seen: Partial<Record<ClaimAttribute, string>>;
  /** The sender's own signature, and (in a trace) the registered key that verified it on ingest. */
  readonly sender?: { readonly jws: string; readonly key?: SenderPublicKey };
}

/** What the sender's signature proves: verified by a key, not checkable without the key, or refused and why. */
type SenderCheck = { readonly kid: string; readonly alg: string } | { readonly unchecked: string } | { readonly failure: SenderSignatureError };

export const verify: Command = {
  words: ['verify'],
  usage: '(--trace <hub id | trace URL> | --file <trace.json | headers file>) [--data <file>] [--jwks <file>] [--token <token>]',
  summary: "check the hub's signature on a message (a trace or a delivery's headers) and say what it proves",
  options: { trace: { type: 'string' }, file: { type: 'string' }, data: { type: 'string' }, jwks: { type: 'string' }, token: { type: 'string' } },
  async run(ctx) {
    positionals(ctx, this, []);
    const evidence = await evidenceOf(ctx, this);
    if (!evidence.jws)
      throw new CliFailure(
        EXIT.refused,
        [`${evidence.from} carries no hub signature`],
        `a message accepted before the hub signed has none; a delivery carries it in the ${HUB_SIGNATURE_HTTP_HEADER} header.`,
      );
    const jwks = await keySet(ctx);
    let verified: VerifiedSignature;
    try {
      verified = await verifyHubSignature(evidence.jws, jwks);
    } catch (err) {
      if (!(err instanceof HubSignatureError)) throw err;
      if (ctx.json) ctx.io.out(json({ verified: false, failure: err.code, detail: err.message }));
      throw new CliFailure(EXIT.refused, [`${err.code}: ${err.message}`], 'nothing is proven by this signature.');
    }
    const { claims, kid, alg } = verified;
    const differ = differences(claims, evidence.seen);
    const dataFile = stringOption(ctx, 'data');
    const sha256 = dataFile === undefined ? undefined : sha256Hex(await readBytes(dataFile));
    const data = sha256 === undefined ? undefined : { file: dataFile!, sha256, matches: sha256 === claims.dataSha256 };
    const sender = evidence.sender && (await senderCheck(evidence.sender, claims));
    const senderFailed = sender !== undefined && 'failure' in sender;
    const proven = differ.length === 0 && (data?.matches ?? true) && !senderFailed;
    ctx.io.out(
      ctx.json
        ? json({
            verified: proven,
            kid,
            alg,
            claims,
            differences: differ,
            data: data ? { sha256, matches: data.matches } : null,
            sender:
              sender === undefined ? null : 'failure' in sender ? { verified: false, failure: sender.failure.code, detail: sender.failure.message } : sender,
          })
        : readable(verified, evidence.from, differ, data, sender),
    );
    if (!proven) {
      const why = [
        ...differ.map((d) => `${d.attribute} is not what the hub signed`),
        ...(data?.matches === false ? [`${data.file} is not the data the hub signed`] : []),
        ...(senderFailed ? [`the sender's signature: ${sender.failure.code}: ${sender.failure.message}`] : []),
      ];
      throw new CliFailure(
        EXIT.refused,
        why,
        "the signature is the hub's, but what you hold was changed after the hub accepted it: ask the sender, or the hub's trace, for the original.",
      );
    }
  },
};

/** The claims, how the data and the evidence compare with them, and what is proven when everything agrees. */
function readable(
  { claims, kid, alg }: VerifiedSignature,
  from: string,
  differ: Difference[],
  data: { file: string; sha256: string; matches: boolean } | undefined,
  sender: SenderCheck | undefined,
): string {
  const proven = differ.length === 0 && (data?.matches ?? true) && !(sender && 'failure' in sender);
  return fields([
    ['hub signature', `verified: key ${kid} (${alg})`],
    ...CLAIM_ATTRIBUTES.map((name) => [name, claims[name]] as const),
    ['data sha256', claims.dataSha256],
    [
      'data',
      !data
        ? 'not checked (pass --data <file>: the exact bytes of data, the body of a binary-mode delivery)'
        : data.matches
          ? `${data.file} matches`
          : `${data.file} does NOT match (its sha256 is ${data.sha256})`,
    ],
    ['agrees with', differ.length === 0 ? from : undefined],
    ...differ.map((d) => [`differs: ${d.attribute}`, `signed ${JSON.stringify(d.signed ?? null)}, ${from} says ${JSON.stringify(d.seen ?? null)}`] as const),
    [
      'sender signature',
      !sender
        ? 'none (the connector registered no public key)'
        : 'failure' in sender
          ? `NOT verified: ${sender.failure.code}: ${sender.failure.message}`
          : 'unchecked' in sender
            ? `not checked: ${sender.unchecked}`
            : `verified: key ${sender.kid} (${sender.alg}), over the same message and data as the hub's`,
    ],
    [
      'proven',
      proven
        ? `the hub signed that connector ${claims.connector} handed in message ${claims.id} from ${claims.source}, accepted at ${claims.acceptedAt}${data ? ', with exactly this data' : ''}${sender && 'kid' in sender ? `; the sender signed the same with its key ${sender.kid}` : ''}`
        : undefined,
    ],
  ]);
}

async function evidenceOf(ctx: CommandContext, command: Command): Promise<Evidence> {
  const [target, file] = [stringOption(ctx, 'trace'), stringOption(ctx, 'file')];
  if ((target === undefined) === (file === undefined))
    throw usageError('verify needs one of --trace <hub id> or --file <file>', `lgsp verify ${command.usage}`);
  if (target !== undefined) {
    const trace = await ctx.hub.request<Trace>({
      method: 'GET',
      path: `/v1/messages/${encodeURIComponent(hubIdOf(target, ctx.hub.baseUrl))}`,
      credential: credentialFor(ctx),
      hints: { 'not-found': 'check the hub id; a connector sees only the messages it sent or received.' },
    });
    return fromTrace(trace, 'the trace');
  }
  const text = await readText(file!);
  if (text.trim().startsWith('{')) {
    const value = parseJsonFile(file!, text) as Partial<Trace> | Record<string, unknown>;
    if ('message' in value && 'hubId' in value) return fromTrace(value as Trace, `the trace in ${file}`);
  }
  return fromHeaders(parseHeaders(file!, text), `the headers in ${file}`);
}

function fromTrace({ hubId, message }: Trace, from: string): Evidence {
  const { hubSignature, signature: _kindChecked, senderSignature, senderKey, ...attributes } = message;
  return {
    from,
    jws: hubSignature,
    seen: { hubId, time: undefined, to: undefined, correlationid: undefined, ...attributes } as Evidence['seen'],
    ...(senderSignature ? { sender: { jws: senderSignature, ...(senderKey ? { key: senderKey } : {}) } } : {}),
  };
}

/** A delivery's headers: the `ce-*` attributes of binary mode (percent-decoded) and the hub id it names as `webhook-id` or `Idempotency-Key`. */
function fromHeaders(headers: Record<string, string>, from: string): Evidence {
  const seen: Partial<Record<ClaimAttribute, string | undefined>> = {};
  // A structured-mode delivery carries its attributes in the body, not as ce-* headers.
  const binary = headers['ce-id'] !== undefined;
  for (const name of binary ? (['id', 'source', 'type', 'subject', 'time', 'to', 'correlationid'] as const) : []) {
    const value = headers[`ce-${name}`];
    seen[name] = value === undefined ? undefined : decodeURIComponent(value);
  }
  const hubId = headers['webhook-id'] ?? headers['idempotency-key'];
  const sender = headers[SENDER_SIGNATURE_HTTP_HEADER];
  return {
    from,
    jws: headers[HUB_SIGNATURE_HTTP_HEADER],
    seen: { ...seen, ...(hubId ? { hubId } : {}) } as Evidence['seen'],
    ...(sender ? { sender: { jws: sender } } : {}),
  };
}

/** The sender's signature against the key that verified it on ingest and the hub's verified claims: both must sign the same message. */
async function senderCheck(sender: NonNullable<Evidence['sender']>, claims: VerifiedSignature['claims']): Promise<SenderCheck> {
  if (!sender.key) return { unchecked: "the sender's public key is in the message's trace: run lgsp verify --trace <hub id>" };
  try {
    const { key, alg } = await verifySenderSignature(sender.jws, [sender.key], claims);
    return { kid: key.kid, alg };
  } catch (err) {
    if (!(err instanceof SenderSignatureError)) throw err;
    return { failure: err };
  }
}

async function keySet(ctx: CommandContext): Promise<JSONWebKeySet> {
  const file = stringOption(ctx, 'jwks');
  const value =
    file === undefined ? await ctx.hub.request<unknown>({ method: 'GET', path: '/.well-known/jwks.json' }) : parseJsonFile(file, await readText(file));
  if (!Array.isArray((value as { keys?: unknown } | null)?.keys))
    throw usageError(`${file ?? 'the hub'} gave no JSON Web Key Set ({"keys": [...]})`, "save the hub's GET /.well-known/jwks.json and pass it with --jwks.");
  return value as JSONWebKeySet;
}
