/**
 * The hub's own signing keys (docs/signatures.md): Ed25519 key pairs kept in the registry topic as
 * `hub-key/<kid>` records, the private part sealed with the secrets key (`secret-box.ts`, bound to
 * the record's key), so every instance signs with the same key and whoever reads the topic or its
 * backups reads no private key. `kid` is the RFC 7638 thumbprint of the public key.
 *
 * Which key signs: the one of the highest `generation`; among keys of one generation (two
 * instances that made the first key at the same moment, or rotated at once), the first written.
 * An instance has read every earlier record when it reads its own back, so it never signs with a
 * key another instance has already outranked. Keys are never deleted: the public key set at
 * `GET /.well-known/jwks.json` keeps every old key, so old signatures go on verifying.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { AcceptedMessage } from '../contract/kafka-binding.ts';
import { claimsOf, HUB_SIGNATURE_ALG, signClaims, type HubSigningKey } from '../contract/hub-signature.ts';
import { SecretBox, type Sealed } from '../secrets/secret-box.ts';

/** A public key as the JWKS publishes it. */
export interface PublicHubKey {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

/** A signing key as the registry topic keeps it. */
export interface StoredHubKey {
  readonly kid: string;
  readonly alg: typeof HUB_SIGNATURE_ALG;
  /** 1 for the first key; each rotation writes the signing key's generation + 1. */
  readonly generation: number;
  readonly createdAt: string;
  /** The public JWK (`kty`, `crv`, `x`). */
  readonly publicKey: { readonly kty: string; readonly crv: string; readonly x: string };
  /** The private JWK, sealed. */
  readonly sealed: { readonly privateKey: Sealed };
}

/** What the keys need of the registry (`registry-store.ts`). */
export interface HubKeyStore {
  /** In the order written. */
  hubKeys(): StoredHubKey[];
  /** Resolves once this instance has read them back. */
  putHubKeys(records: readonly StoredHubKey[]): Promise<void>;
}

const PRIVATE_KEY = 'privateKey';

/** The registry key of the signing key `kid`. */
export function hubKeyRecordKey(kid: string): string {
  return `hub-key/${kid}`;
}

export class HubKeys {
  private readonly store: HubKeyStore;
  private readonly box: SecretBox;
  /** Opened private keys by kid (only the signing key's is ever opened). */
  private readonly opened = new Map<string, Promise<HubSigningKey>>();

  constructor(store: HubKeyStore, box: SecretBox) {
    this.store = store;
    this.box = box;
  }

  /**
   * At start, after the registry is loaded: makes the first key when there is none, then opens the
   * signing key, so a hub that cannot sign does not start. Throws `SecretsError` when the signing
   * key is sealed with a secrets key this hub was not given.
   */
  async ensure(): Promise<StoredHubKey> {
    if (this.store.hubKeys().length === 0) await this.create(1);
    await this.signingKey();
    return this.active();
  }

  /** Makes a new signing key (`POST /v1/hub-keys:rotate`); the previous ones stay published. Resolves with the key that now signs. */
  async rotate(): Promise<StoredHubKey> {
    await this.create(this.active().generation + 1);
    await this.signingKey();
    return this.active();
  }

  /** The key that signs now. Throws (a programmer error) before `ensure`. */
  active(): StoredHubKey {
    let best: StoredHubKey | undefined;
    for (const record of this.store.hubKeys()) if (!best || record.generation > best.generation) best = record;
    if (!best) throw new Error('HubKeys.ensure() was not called');
    return best;
  }

  /** Every public key, the signing one first: the body of `GET /.well-known/jwks.json`. */
  jwks(): { keys: PublicHubKey[] } {
    const active = this.active();
    const others = this.store.hubKeys().filter((r) => r.kid !== active.kid);
    const newestFirst = others.sort((a, b) => b.generation - a.generation);
    return { keys: [active, ...newestFirst].map(({ kid, alg, publicKey }) => ({ ...publicKey, kid, alg, use: 'sig' })) };
  }

  /** The hub's signature over `message` as accepted (`hub-signature.ts`); `bytes`: its data's, if made already. */
  async sign(message: AcceptedMessage, bytes?: Buffer): Promise<string> {
    return signClaims(claimsOf(message, bytes), await this.signingKey());
  }

  /**
   * Seals again, with the current secrets key, the private keys sealed with an old one
   * (`POST /v1/secrets:reencrypt`); returns how many. Writes every key record again, in order,
   * so which key signs does not change once the topic is compacted.
   */
  async reencrypt(): Promise<number> {
    const records = this.store.hubKeys();
    let count = 0;
    const rewritten = records.map((record) => {
      if (SecretBox.keyIdIn(record.sealed.privateKey) === this.box.keyId) return record;
      count++;
      return { ...record, sealed: { privateKey: this.box.seal(this.openPrivate(record), { record: hubKeyRecordKey(record.kid), field: PRIVATE_KEY }) } };
    });
    if (count > 0) await this.store.putHubKeys(rewritten);
    return count;
  }

  private async create(generation: number): Promise<void> {
    const { privateKey } = await generateKeyPair(HUB_SIGNATURE_ALG, { crv: 'Ed25519', extractable: true });
    const { kty, crv, x, d } = await exportJWK(privateKey);
    const publicKey = { kty: kty!, crv: crv!, x: x! };
    const kid = await calculateJwkThumbprint(publicKey);
    const sealed = { privateKey: this.box.seal({ ...publicKey, d }, { record: hubKeyRecordKey(kid), field: PRIVATE_KEY }) };
    await this.store.putHubKeys([{ kid, alg: HUB_SIGNATURE_ALG, generation, createdAt: new Date().toISOString(), publicKey, sealed }]);
  }

  /** The key that signs now, opened: for the hub's other signatures (the audit chain's checkpoints, `chain.ts`). */
  currentSigningKey(): Promise<HubSigningKey> {
    return this.signingKey();
  }

  /** The signing key, opened once per kid. */
  private signingKey(): Promise<HubSigningKey> {
    const record = this.active();
    let key = this.opened.get(record.kid);
    if (!key) {
      key = (async () => ({ kid: record.kid, key: (await importJWK(this.openPrivate(record), HUB_SIGNATURE_ALG)) as CryptoKey }))();
      key.catch(() => this.opened.delete(record.kid));
      this.opened.set(record.kid, key);
    }
    return key;
  }

  /** Throws `SecretsError` when the secrets keys of this hub do not open it. */
  private openPrivate(record: StoredHubKey): JWK {
    return this.box.open(record.sealed.privateKey, { record: hubKeyRecordKey(record.kid), field: PRIVATE_KEY }) as JWK;
  }
}
