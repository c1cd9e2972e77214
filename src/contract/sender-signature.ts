/**
 * A sender's own signature (docs/signatures.md, "Chain of custody"): a connector that registered
 * public keys (`auth.publicKeys` of its manifest) signs each event it sends with one of them, a
 * compact JWS over `SentClaims` (the attributes and the SHA-256 of `data`, the hub's claims minus
 * what only the hub knows), carried in the event as the CloudEvents extension attribute
 * `sendersignature`. The hub checks it on ingest and keeps it beside its own signature, so a
 * recipient holds both: who wrote the message, and that the hub accepted exactly that. Declared
 * here once: the hub checks with it, `lgsp verify` and the tests use it.
 */
import { CompactSign, compactVerify, createLocalJWKSet, errors, type CryptoKey, type JWK } from 'jose';
import type { CloudEvent } from './cloud-event.ts';
import { LgspError } from './errors.ts';
import { sentClaimsOf, type SentClaims } from './hub-signature.ts';

/** The algorithms a sender may sign with: Ed25519 (`OKP`) and P-256 (`EC`) keys. */
export const SENDER_SIGNATURE_ALGS = ['EdDSA', 'ES256'] as const;
/** The JWS `typ`, so a sender signature is never taken for a hub signature or another token. */
export const SENDER_SIGNATURE_TYP = 'lgsp-sent+jws';
/** The CloudEvents extension attribute that carries it to the hub, on each event of a single or a batch. */
export const SENDER_SIGNATURE_ATTRIBUTE = 'sendersignature';
/** The HTTP header of push deliveries that passes it on, beside `lgsp-hub-signature`. */
export const SENDER_SIGNATURE_HTTP_HEADER = 'lgsp-sender-signature';

/** A public key a connector registers (`auth.publicKeys`): a public JWK with a `kid`. */
export interface SenderPublicKey extends JWK {
  readonly kid: string;
}

/** An event as a sender hands it in: a CloudEvent, perhaps signed. */
export type SignedEvent = CloudEvent & { readonly [SENDER_SIGNATURE_ATTRIBUTE]?: string };

const SENT_CLAIMS = ['id', 'source', 'type', 'subject', 'time', 'to', 'correlationid', 'dataSha256'] as const;

export const SENDER_SIGNATURE_ERROR_CODES = [
  /** The connector registered keys and the event carries no `sendersignature`. */
  'sender-signature-missing',
  /** The connector registered no key, so nothing could check the signature the event carries. */
  'sender-signature-unexpected',
  /** Not a compact JWS of a sender's claims. */
  'sender-signature-malformed',
  /** Signed with a key (`kid`) the connector has not registered. */
  'sender-signature-unknown-key',
  /** The signature does not verify with the registered key: altered, or made with another key. */
  'sender-signature-invalid',
  /** It verifies, but over other attributes or other data than the event carries. */
  'sender-signature-mismatch',
] as const;
export type SenderSignatureErrorCode = (typeof SENDER_SIGNATURE_ERROR_CODES)[number];

/** Why a sender signature is refused; the message says what to fix. */
export class SenderSignatureError extends LgspError<SenderSignatureErrorCode> {}

/** The event without its signature (what the hub keeps as the message), and the signature. */
export function splitSignature({ [SENDER_SIGNATURE_ATTRIBUTE]: signature, ...event }: SignedEvent): { event: CloudEvent; signature?: string } {
  return { event, ...(signature !== undefined ? { signature } : {}) };
}

/** The compact JWS a sender computes over `event` with its private key. */
export async function signAsSender(event: CloudEvent, signing: { kid: string; alg: (typeof SENDER_SIGNATURE_ALGS)[number]; key: CryptoKey }): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(sentClaimsOf(event)), 'utf8'))
    .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: SENDER_SIGNATURE_TYP })
    .sign(signing.key);
}

/**
 * Checks `jws` against `keys` and what it must sign: the claims of the event (without its
 * signature) on ingest, the hub's verified claims in `lgsp verify`. Resolves with the key that
 * verified it and the algorithm, or throws `SenderSignatureError` saying why not.
 */
export async function verifySenderSignature(
  jws: string,
  keys: readonly SenderPublicKey[],
  expected: SentClaims,
): Promise<{ key: SenderPublicKey; alg: string }> {
  let result;
  try {
    result = await compactVerify(jws, createLocalJWKSet({ keys: [...keys] }), { algorithms: [...SENDER_SIGNATURE_ALGS] });
  } catch (err) {
    throw verificationError(err, keys);
  }
  const { protectedHeader, payload } = result;
  if (protectedHeader.typ !== SENDER_SIGNATURE_TYP)
    throw new SenderSignatureError('sender-signature-malformed', `its JWS "typ" is "${protectedHeader.typ}"; a sender signature has "${SENDER_SIGNATURE_TYP}"`);
  let signed: Record<string, unknown>;
  try {
    signed = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SenderSignatureError('sender-signature-malformed', 'its JWS payload is not JSON');
  }
  const differ = SENT_CLAIMS.filter((name) => signed?.[name] !== expected[name]);
  if (differ.length > 0)
    throw new SenderSignatureError(
      'sender-signature-mismatch',
      `it signs other ${differ.join(', ')} than the event carries (dataSha256 is the SHA-256 of JSON.stringify(data), docs/signatures.md)`,
    );
  const key = keys.find((k) => k.kid === protectedHeader.kid);
  if (!key) throw new SenderSignatureError('sender-signature-malformed', 'its JWS header names no kid: name the registered key you signed with');
  return { key, alg: protectedHeader.alg };
}

function verificationError(err: unknown, keys: readonly SenderPublicKey[]): SenderSignatureError {
  if (err instanceof errors.JWKSNoMatchingKey)
    return new SenderSignatureError(
      'sender-signature-unknown-key',
      `its kid is none of the keys registered (${keys.map((k) => k.kid).join(', ')}): sign with one of them, or have the operator add yours to auth.publicKeys`,
      { cause: err },
    );
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new SenderSignatureError(
      'sender-signature-invalid',
      'it does not verify with the registered key of its kid: the JWS was altered, or signed with another key',
      {
        cause: err,
      },
    );
  if (err instanceof errors.JOSEError)
    return new SenderSignatureError('sender-signature-malformed', `it is not a JWS the hub can check (${err.message})`, { cause: err });
  throw err;
}
