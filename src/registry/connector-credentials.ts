/**
 * Connector credentials. A token is `<connector id>.<secret>`, shown once at registration or
 * rotation. The registry keeps only the SHA-256 of the secret (checked in constant time) and
 * the signing key derived from the token (`X-LGSP-Signature` on deliveries), never the token.
 * The signing key reaches a connector's kind only through its kind context (`ctx.signingKey`,
 * `connectors/kit/kind-context.ts`), never through `settings`, which operators read and write.
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

/** Checks `token` against what `lookup` finds for its connector id; same work whether the id exists or not. */
export function verifyToken(
  token: string,
  lookup: (id: string) => (ConnectorIdentity & { credential: ConnectorCredential }) | undefined,
): ConnectorIdentity | undefined {
  const dot = token.indexOf('.');
  const found = dot > 0 ? lookup(token.slice(0, dot)) : undefined;
  const presented = Buffer.from(sha256Hex(token.slice(dot + 1)), 'hex');
  const expected = Buffer.from(found?.credential.secretSha256 ?? '0'.repeat(64), 'hex');
  return found && timingSafeEqual(presented, expected) ? { id: found.id, agency: found.agency } : undefined;
}
