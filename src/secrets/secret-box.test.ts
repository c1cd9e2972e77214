import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, SecretBox, SecretsError, type Sealed } from './secret-box.ts';

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const AT = { record: 'connector/qn-dvcqg', field: 'settings.password' };

/** `sealed` with its part `index` (0 version, 1 key id, 2 iv, 3 tag, 4 ciphertext) replaced by `part(old)`. */
function withPart(sealed: Sealed, index: number, part: (old: string) => string): Sealed {
  const parts = sealed.$sealed.split('.');
  parts[index] = part(parts[index]!);
  return { $sealed: parts.join('.') };
}

const flipFirstByte = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64url');
};

function refusal(open: () => unknown): SecretsError {
  try {
    open();
  } catch (err) {
    if (err instanceof SecretsError) return err;
    throw err;
  }
  throw new Error('expected a SecretsError');
}

describe('SecretBox', () => {
  const box = new SecretBox({ current: KEY_A, old: [] });

  it('seals any JSON value into a self-describing form naming its key, and opens it back', () => {
    for (const value of ['mật khẩu bí mật', { 'X-Api-Key': 'abc' }, 42]) {
      const sealed = box.seal(value, AT);
      expect(Object.keys(sealed)).toEqual(['$sealed']);
      expect(sealed.$sealed).toMatch(new RegExp(`^v1\\.${keyIdOf(KEY_A)}\\.[\\w-]{16}\\.[\\w-]{22}\\.[\\w-]+$`));
      expect(JSON.stringify(sealed)).not.toContain('abc');
      expect(box.open(JSON.parse(JSON.stringify(sealed)) as Sealed, AT)).toEqual(value);
    }
    expect(box.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('uses a fresh IV for every value: the same secret sealed twice looks different', () => {
    expect(box.seal('same', AT).$sealed).not.toBe(box.seal('same', AT).$sealed);
  });

  it.each([
    ['the ciphertext', 4],
    ['the tag', 3],
    ['the iv', 2],
  ])('refuses a value whose %s was altered', (_name, index) => {
    const err = refusal(() => box.open(withPart(box.seal('secret', AT), index, flipFirstByte), AT));
    expect(err.code).toBe('sealed-value-invalid');
    expect(err.message).toContain('settings.password of the registry record connector/qn-dvcqg does not open');
  });

  it('refuses a value moved to another record or another field', () => {
    const sealed = box.seal('secret', AT);
    expect(refusal(() => box.open(sealed, { ...AT, record: 'connector/other' })).code).toBe('sealed-value-invalid');
    expect(refusal(() => box.open(sealed, { ...AT, field: 'settings.username' })).code).toBe('sealed-value-invalid');
  });

  it('refuses a malformed sealed form', () => {
    expect(refusal(() => box.open({ $sealed: 'v1.abc' }, AT)).code).toBe('sealed-value-invalid');
    expect(refusal(() => box.open({ $sealed: 'v2.a.b.c.d' }, AT)).code).toBe('sealed-value-invalid');
  });

  it('opens values sealed with an old key, and seals with the current one', () => {
    const sealedWithA = box.seal('secret', AT);
    const rotated = new SecretBox({ current: KEY_B, old: [KEY_A] });
    expect(rotated.open(sealedWithA, AT)).toBe('secret');
    expect(SecretBox.keyIdIn(rotated.seal('secret', AT))).toBe(keyIdOf(KEY_B));
    expect(SecretBox.keyIdIn(sealedWithA)).toBe(keyIdOf(KEY_A));
  });

  it('names the unknown key id and the variable to set when a value was sealed with a key it lacks', () => {
    const err = refusal(() => new SecretBox({ current: KEY_B, old: [] }).open(box.seal('secret', AT), AT));
    expect(err.code).toBe('secrets-key-unknown');
    expect(err.keyId).toBe(keyIdOf(KEY_A));
    expect(err.message).toBe(
      `settings.password of the registry record connector/qn-dvcqg is sealed with secrets key ${keyIdOf(KEY_A)}, which this hub was not given: ` +
        `add that key to LGSP_SECRETS_OLD_KEYS (this hub seals with key ${keyIdOf(KEY_B)}, LGSP_SECRETS_KEY).`,
    );
  });
});
