/**
 * Connector credentials. A token is `<connector id>.<secret>`, shown once at registration or
 * rotation. The registry keeps only the SHA-256 of the secret (checked in constant time) and
 * the signing key derived from the token (the signatures on deliveries, `docs/webhooks.md`), never the token.
 * The signing key reaches a connector's kind only through its kind context (`ctx.signingKey`,
 * `connectors/kit/kind-context.ts`), never through `settings`, which operators read and write.
 *
 * A rotation may let the replaced token work a while longer (`previous`, until a time), so an
 * agency system can switch without a gap; deliveries are signed with the new token's key at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { signingKeyOf } from '../../connectors/kit/signature.ts';

export interface ConnectorIdentity {
  readonly id: string;
  readonly agency: string;
}

export interface ConnectorCredential {
  readonly secretSha256: string;
  readonly signingKey: string;
  /** The token the last rotation replaced, still accepted until `until` (ISO 8601); only its hash is kept. */
  readonly previous?: { readonly secretSha256: string; readonly until: string };
}

export interface CredentialStore {
  /** The connector a bearer token belongs to, or undefined for an unknown or wrong token. */
  verify(token: string): ConnectorIdentity | undefined;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A new token for connector `id`, and what the registry keeps of it. */
export function issueCredential(id: string): { token: string; credential: ConnectorCredential } {
  const token = `${id}.${randomBytes(32).toString('base64url')}`;
  return { token, credential: { secretSha256: sha256Hex(token.slice(id.length + 1)), signingKey: signingKeyOf(token) } };
}

/**
 * A new token replacing `current`'s: the replaced one keeps working for `overlapMs` (0: stops at
 * once). Any earlier replaced token stops now. `previousValidUntil` is when the replaced one stops.
 */
export function rotateCredential(
  id: string,
  current: ConnectorCredential,
  overlapMs: number,
  now = Date.now(),
): { token: string; credential: ConnectorCredential; previousValidUntil: string } {
  const { token, credential } = issueCredential(id);
  const until = new Date(now + overlapMs).toISOString();
  const previous = overlapMs > 0 ? { previous: { secretSha256: current.secretSha256, until } } : {};
  return { token, credential: { ...credential, ...previous }, previousValidUntil: until };
}

const NO_SECRET = '0'.repeat(64);

/**
 * Checks `token` against what `lookup` finds for its connector id: its current secret, or the one
 * it replaced while that is still accepted. Both are compared in constant time, and the work is
 * the same whether the id exists or not.
 */
export function verifyToken(
  token: string,
  lookup: (id: string) => (ConnectorIdentity & { credential: ConnectorCredential }) | undefined,
  now = Date.now(),
): ConnectorIdentity | undefined {
  const dot = token.indexOf('.');
  const found = dot > 0 ? lookup(token.slice(0, dot)) : undefined;
  const presented = Buffer.from(sha256Hex(token.slice(dot + 1)), 'hex');
  const matches = (secretSha256: string | undefined) => timingSafeEqual(presented, Buffer.from(secretSha256 ?? NO_SECRET, 'hex'));
  const previous = found?.credential.previous;
  const current = matches(found?.credential.secretSha256);
  const replaced = matches(previous?.secretSha256) && previous !== undefined && Date.parse(previous.until) > now;
  return found && (current || replaced) ? { id: found.id, agency: found.agency } : undefined;
}
