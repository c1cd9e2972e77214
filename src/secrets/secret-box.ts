/**
 * Secrets at rest (placeholder declaration; the secrets work fills this module in).
 */
export interface SecretsKeys {
  /** Encrypts every new secret. */
  readonly current: Buffer;
  /** Decrypt only: secrets written before the last key rotation. */
  readonly old: readonly Buffer[];
}
