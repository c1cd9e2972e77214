/**
 * Connector credentials. A token is `<connector id>.<secret>`; the hub stores only the SHA-256 of
 * the secret and compares in constant time. Until the connector registry exists, the connectors
 * come from a JSON file (`LGSP_CONNECTORS_FILE`): `[{ "id", "agency", "secretSha256" }]`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface ConnectorIdentity {
  readonly id: string;
  readonly agency: string;
}

export interface StoredCredential extends ConnectorIdentity {
  readonly secretSha256: string;
}

export interface CredentialStore {
  /** The connector a bearer token belongs to, or undefined for an unknown or wrong token. */
  verify(token: string): ConnectorIdentity | undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new token for a connector, and what to store of it. The token is shown once. */
export function issueToken(identity: ConnectorIdentity): { token: string; stored: StoredCredential } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${identity.id}.${secret}`, stored: { ...identity, secretSha256: hashSecret(secret) } };
}

export class StaticCredentialStore implements CredentialStore {
  private readonly byId: ReadonlyMap<string, StoredCredential>;

  constructor(credentials: readonly StoredCredential[]) {
    this.byId = new Map(credentials.map((c) => [c.id, c]));
  }

  static async fromFile(path: string): Promise<StaticCredentialStore> {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (!Array.isArray(parsed) || !parsed.every(isStoredCredential)) {
      throw new Error(`${path}: expected a JSON array of { "id", "agency", "secretSha256" (64 hex) }`);
    }
    return new StaticCredentialStore(parsed);
  }

  verify(token: string): ConnectorIdentity | undefined {
    const dot = token.indexOf('.');
    const stored = dot > 0 ? this.byId.get(token.slice(0, dot)) : undefined;
    // Hash even for unknown ids so the answer takes the same time either way.
    const presented = Buffer.from(hashSecret(token.slice(dot + 1)), 'hex');
    const expected = Buffer.from(stored?.secretSha256 ?? '0'.repeat(64), 'hex');
    return stored && timingSafeEqual(presented, expected) ? { id: stored.id, agency: stored.agency } : undefined;
  }
}

function isStoredCredential(value: unknown): value is StoredCredential {
  const v = value as Partial<StoredCredential> | null;
  return typeof v?.id === 'string' && typeof v.agency === 'string' && typeof v.secretSha256 === 'string' && /^[0-9a-f]{64}$/.test(v.secretSha256);
}
