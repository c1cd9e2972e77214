/**
 * A connector's record as the registry topic keeps it: the entry the hub works with, its secrets
 * taken out into `sealed` (`src/secrets/secret-box.ts`): each secret setting its kind declares,
 * and the signing key, each bound to the record's key and its field. Whoever reads the topic or its
 * backups reads manifests and token hashes, no secret. Kept apart from the manifest, a sealed value
 * is never confused with a setting an operator wrote.
 *
 * Tolerant reader: whatever `sealed` holds is opened and put back in place, whatever the kind
 * declares today, and a record written before secrets were sealed (secrets in clear) reads as it
 * is. Such a record, or one sealed with an old key, is `stale`: it is sealed with the current key
 * at its next write (`POST /v1/secrets:reencrypt`).
 */
import { SecretBox, type Sealed } from '../secrets/secret-box.ts';
import type { ConnectorCredential } from './connector-credentials.ts';
import type { ConnectorEntry } from './registry-store.ts';

/** The record as stored. */
export interface StoredConnector extends Omit<ConnectorEntry, 'credential'> {
  /** `signingKey` only in records written before secrets were sealed. */
  readonly credential: Omit<ConnectorCredential, 'signingKey'> & { readonly signingKey?: string };
  readonly sealed?: {
    readonly signingKey: Sealed;
    /** The kind's secret settings, by name; the manifest's `settings` leave them out. */
    readonly settings?: Readonly<Record<string, Sealed>>;
  };
}

/** The names of a kind's secret settings (its own and the transport's). */
export type SecretsOf = (kind: string) => readonly string[];

const SIGNING_KEY = 'credential.signingKey';
const settingField = (name: string) => `settings.${name}`;

/** The registry key of connector `id`. */
export function connectorKey(id: string): string {
  return `connector/${id}`;
}

export class ConnectorSealing {
  private readonly box: SecretBox;
  private readonly secretsOf: SecretsOf;

  constructor(box: SecretBox, secretsOf: SecretsOf) {
    this.box = box;
    this.secretsOf = secretsOf;
  }

  /** The record to write for `entry`: its secret settings and signing key sealed with the current key. */
  seal({ manifest, credential, ...rest }: ConnectorEntry): StoredConnector {
    const record = connectorKey(manifest.id);
    const isSecret = (name: string) => this.secretsOf(manifest.kind).includes(name);
    const entries = Object.entries(manifest.settings ?? {});
    const secrets = entries.filter(([name]) => isSecret(name)).map(([name, value]) => [name, this.box.seal(value, { record, field: settingField(name) })]);
    const plain = entries.filter(([name]) => !isSecret(name));
    const { signingKey, ...hashes } = credential;
    return {
      ...rest,
      manifest: { ...manifest, ...(manifest.settings ? { settings: Object.fromEntries(plain) } : {}) },
      credential: hashes,
      sealed: {
        signingKey: this.box.seal(signingKey, { record, field: SIGNING_KEY }),
        ...(secrets.length > 0 ? { settings: Object.fromEntries(secrets) as Record<string, Sealed> } : {}),
      },
    };
  }

  /**
   * The entry `stored` (read under the key `record`) holds, secrets opened; `stale` when a secret
   * in it is in clear or sealed with an old key. Throws `SecretsError` when a sealed value does not open.
   */
  open(record: string, { sealed, manifest, credential, ...rest }: StoredConnector): { entry: ConnectorEntry; stale: boolean } {
    const open = (value: Sealed, field: string) => this.box.open(value, { record, field });
    const secretSettings = Object.entries(sealed?.settings ?? {}).map(([name, value]) => [name, open(value, settingField(name))]);
    const signingKey = sealed ? (open(sealed.signingKey, SIGNING_KEY) as string) : (credential.signingKey ?? '');
    const settings = manifest.settings || secretSettings.length > 0 ? { settings: { ...manifest.settings, ...Object.fromEntries(secretSettings) } } : {};
    const keyIds = sealed ? [sealed.signingKey, ...Object.values(sealed.settings ?? {})].map((value) => SecretBox.keyIdIn(value)) : [];
    const inClear = !sealed || Object.keys(manifest.settings ?? {}).some((name) => this.secretsOf(manifest.kind).includes(name));
    const { signingKey: _inClear, ...hashes } = credential;
    return {
      entry: { ...rest, manifest: { ...manifest, ...settings }, credential: { ...hashes, signingKey } },
      stale: inClear || keyIds.some((id) => id !== this.box.keyId),
    };
  }
}
