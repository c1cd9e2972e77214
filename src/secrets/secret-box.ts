/**
 * Secrets at rest: AES-256-GCM under `LGSP_SECRETS_KEY`, so whoever reads the registry topic or
 * its backups reads no secret. A sealed value is JSON-safe and says which key sealed it:
 * `{"$sealed":"v1.<key id>.<iv>.<tag>.<ciphertext>"}` (base64url parts; the key id is the first 8
 * bytes of the key's SHA-256 in hex, which tells the key without revealing it). Each value is bound
 * to where it stands (its record and field, as additional authenticated data), so a sealed value
 * copied into another record or field does not open. The current key seals; old keys
 * (`LGSP_SECRETS_OLD_KEYS`) only open, until every record has been sealed again (docs/secrets.md).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { LgspError } from '../contract/errors.ts';

export interface SecretsKeys {
  /** Encrypts every new secret. */
  readonly current: Buffer;
  /** Decrypt only: secrets written before the last key rotation. */
  readonly old: readonly Buffer[];
}

/** A sealed value as it is stored. */
export interface Sealed {
  readonly $sealed: string;
}

/** Where a sealed value stands: bound into its ciphertext, and named in errors. */
export interface SealedAt {
  /** The registry record's key, e.g. `connector/hcc-quang-ninh`. */
  readonly record: string;
  /** The field in it, e.g. `settings.password`. */
  readonly field: string;
}

export const SECRETS_ERROR_CODES = [
  /** Sealed with a key this hub was not given (neither LGSP_SECRETS_KEY nor LGSP_SECRETS_OLD_KEYS). */
  'secrets-key-unknown',
  /** Not a sealed value of this format, altered, or moved from another record or field. */
  'sealed-value-invalid',
] as const;
export type SecretsErrorCode = (typeof SECRETS_ERROR_CODES)[number];

/** A sealed value that does not open; the message is one line saying what to do. */
export class SecretsError extends LgspError<SecretsErrorCode> {
  /** The key id the value names. */
  readonly keyId: string | undefined;

  constructor(code: SecretsErrorCode, message: string, keyId: string | undefined) {
    super(code, message);
    this.keyId = keyId;
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The id a sealed value carries for `key`: the first 8 bytes of its SHA-256, in hex. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export class SecretBox {
  /** The id of the key that seals. */
  readonly keyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: SecretsKeys) {
    this.keyId = keyIdOf(keys.current);
    this.keys = new Map([...keys.old, keys.current].map((key) => [keyIdOf(key), key]));
  }

  /** Seals `value` (any JSON value) with the current key, bound to `at`. */
  seal(value: unknown, at: SealedAt): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(at));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
    return { $sealed: [VERSION, this.keyId, ...parts].join('.') };
  }

  /** The value `sealed` holds. Throws `SecretsError` when its key is unknown here, or it was altered or moved from elsewhere. */
  open(sealed: Sealed, at: SealedAt): unknown {
    const [version, keyId, iv, tag, ciphertext, ...rest] = sealed.$sealed.split('.');
    const where = `${at.field} of the registry record ${at.record}`;
    if (version !== VERSION || !keyId || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
      throw new SecretsError(
        'sealed-value-invalid',
        `${where} is not a sealed value this hub reads (expected ${VERSION}.<key id>.<iv>.<tag>.<ciphertext>).`,
        keyId,
      );
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretsError(
        'secrets-key-unknown',
        `${where} is sealed with secrets key ${keyId}, which this hub was not given: add that key to LGSP_SECRETS_OLD_KEYS (this hub seals with key ${this.keyId}, LGSP_SECRETS_KEY).`,
        keyId,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(at));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      throw new SecretsError(
        'sealed-value-invalid',
        `${where} does not open with secrets key ${keyId}: it was altered, or copied from another record or field. Set the secret again (PUT the connector).`,
        keyId,
      );
    }
  }

  /** The id of the key that sealed `sealed` (as it says; not checked). */
  static keyIdIn(sealed: Sealed): string | undefined {
    return sealed.$sealed.split('.')[1];
  }
}

function aad({ record, field }: SealedAt): Buffer {
  return Buffer.from(`${record}\n${field}`, 'utf8');
}
