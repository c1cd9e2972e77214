/**
 * The hub's signature on every message it accepts (SPEC §3, docs/signatures.md): a JWS in compact
 * serialisation whose payload is the small JSON object `AcceptanceClaims` (the envelope's
 * attributes, who handed the message in, when the hub accepted it, and the SHA-256 of the exact
 * `data` bytes the hub holds), signed with the hub's active key (`src/registry/hub-keys.ts`) and
 * verifiable by anyone with the keys published at `GET /.well-known/jwks.json`. It travels as the
 * Kafka header `lgsp_hub_signature`, the HTTP header `lgsp-hub-signature` of push deliveries, and
 * `message.hubSignature` of the trace. Declared here once: the hub signs with it, `lgsp verify`
 * checks with it.
 */
import { createHash } from 'node:crypto';
import { CompactSign, compactVerify, createLocalJWKSet, errors, type CryptoKey, type JSONWebKeySet } from 'jose';
import type { CloudEvent } from './cloud-event.ts';
import { LgspError } from './errors.ts';
import { dataBytes, type AcceptedMessage } from './kafka-binding.ts';

/** EdDSA over Ed25519 keys (RFC 8037), which every JOSE library verifies. */
export const HUB_SIGNATURE_ALG = 'EdDSA';
/** The JWS `typ`, so a hub signature is never taken for another token signed with the same key. */
export const HUB_SIGNATURE_TYP = 'lgsp-accepted+jws';
/** The HTTP header of push deliveries that carries it. */
export const HUB_SIGNATURE_HTTP_HEADER = 'lgsp-hub-signature';

/**
 * What a sender signs (`sender-signature.ts`), and the part of the hub's claims that describes the
 * message itself: its attributes and the SHA-256 of its data. Absent attributes are absent here too.
 */
export interface SentClaims {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time?: string;
  readonly to?: string;
  readonly correlationid?: string;
  /** SHA-256, lower-case hex, of `data` as the hub holds it: UTF-8 JSON, the body of a binary-mode delivery (`dataBytes`). */
  readonly dataSha256: string;
}

/** What the hub signs: the payload of the JWS, as JSON. */
export interface AcceptanceClaims extends SentClaims {
  /** The hub's id of the message (`GET /v1/messages/{hubId}`). */
  readonly hubId: string;
  /** The connector that handed the message to the hub. */
  readonly connector: string;
  readonly acceptedAt: string;
}

/** The attributes of the claims besides the data hash, in the order `lgsp verify` shows them. */
export const CLAIM_ATTRIBUTES = ['hubId', 'id', 'source', 'type', 'subject', 'time', 'to', 'correlationid', 'connector', 'acceptedAt'] as const;
export type ClaimAttribute = (typeof CLAIM_ATTRIBUTES)[number];

/** A private key ready to sign, and its id in the JWKS. */
export interface HubSigningKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

export const HUB_SIGNATURE_ERROR_CODES = [
  /** Not a JWS in compact serialisation, or its payload is not the hub's claims. */
  'hub-signature-malformed',
  /** Signed with a key (`kid`) the key set does not hold. */
  'hub-signature-unknown-key',
  /** The signature does not verify: the JWS was altered, or made with another key. */
  'hub-signature-invalid',
] as const;
export type HubSignatureErrorCode = (typeof HUB_SIGNATURE_ERROR_CODES)[number];

/** Why a hub signature does not verify; the message says what to check next. */
export class HubSignatureError extends LgspError<HubSignatureErrorCode> {}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The claims that describe `event` itself, in the order they are signed; `bytes`: `dataBytes(event.data)`, if made already. */
export function sentClaimsOf({ id, source, type, subject, time, to, correlationid, data }: CloudEvent, bytes = dataBytes(data)): SentClaims {
  return {
    id,
    source,
    type,
    subject,
    ...(time ? { time } : {}),
    ...(to ? { to } : {}),
    ...(correlationid ? { correlationid } : {}),
    dataSha256: sha256Hex(bytes),
  };
}

/** The claims of an accepted message. */
export function claimsOf({ event, hubId, connector, acceptedAt }: AcceptedMessage, bytes?: Buffer): AcceptanceClaims {
  const { dataSha256, ...attributes } = sentClaimsOf(event, bytes);
  return { hubId, ...attributes, connector, acceptedAt, dataSha256 };
}

/** The compact JWS of `claims`, signed with `signing`. */
export async function signClaims(claims: AcceptanceClaims, signing: HubSigningKey): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(claims), 'utf8'))
    .setProtectedHeader({ alg: HUB_SIGNATURE_ALG, kid: signing.kid, typ: HUB_SIGNATURE_TYP })
    .sign(signing.key);
}

export interface VerifiedSignature {
  readonly claims: AcceptanceClaims;
  readonly kid: string;
  readonly alg: string;
}

/** Checks `jws` against the key set; throws `HubSignatureError` saying why it does not verify. */
export async function verifyHubSignature(jws: string, jwks: JSONWebKeySet): Promise<VerifiedSignature> {
  let result;
  try {
    result = await compactVerify(jws.trim(), createLocalJWKSet(jwks), { algorithms: [HUB_SIGNATURE_ALG] });
  } catch (err) {
    throw signatureError(err);
  }
  const { protectedHeader, payload } = result;
  if (protectedHeader.typ !== HUB_SIGNATURE_TYP)
    throw new HubSignatureError('hub-signature-malformed', `The JWS is of type "${protectedHeader.typ}", not a hub signature (${HUB_SIGNATURE_TYP}).`);
  const claims = parseClaims(Buffer.from(payload).toString('utf8'));
  return { claims, kid: protectedHeader.kid ?? '', alg: protectedHeader.alg };
}

/** One attribute on which the claims and what a trace or a delivery says differ. */
export interface Difference {
  readonly attribute: ClaimAttribute;
  readonly signed?: string;
  readonly seen?: string;
}

/** The attributes where `claims` and `seen` (what a trace or a delivery says) differ; empty when they agree. */
export function differences(claims: AcceptanceClaims, seen: Partial<Record<ClaimAttribute, string>>): Difference[] {
  return CLAIM_ATTRIBUTES.filter((name) => name in seen && claims[name] !== seen[name]).map((attribute) => ({
    attribute,
    ...(claims[attribute] !== undefined ? { signed: claims[attribute] } : {}),
    ...(seen[attribute] !== undefined ? { seen: seen[attribute] } : {}),
  }));
}

function parseClaims(text: string): AcceptanceClaims {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HubSignatureError('hub-signature-malformed', 'The JWS payload is not JSON: it is not a hub signature.');
  }
  const claims = value as Record<string, unknown> | null;
  const required = ['hubId', 'id', 'source', 'type', 'subject', 'connector', 'acceptedAt', 'dataSha256'];
  const missing = required.filter((name) => typeof claims?.[name] !== 'string');
  if (missing.length > 0) throw new HubSignatureError('hub-signature-malformed', `The JWS payload lacks ${missing.join(', ')}: it is not a hub signature.`);
  return claims as unknown as AcceptanceClaims;
}

function signatureError(err: unknown): HubSignatureError {
  if (err instanceof errors.JWKSNoMatchingKey)
    return new HubSignatureError(
      'hub-signature-unknown-key',
      'No key of the key set has the kid the signature names: fetch the JWKS again from the hub that accepted the message (GET /.well-known/jwks.json).',
      { cause: err },
    );
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new HubSignatureError('hub-signature-invalid', 'The signature does not verify: the signed text was altered, or it was not signed by this hub.', {
      cause: err,
    });
  if (err instanceof errors.JOSEError) return new HubSignatureError('hub-signature-malformed', `Not a hub signature: ${err.message}.`, { cause: err });
  throw err;
}
