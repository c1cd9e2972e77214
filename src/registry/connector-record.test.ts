import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretsError } from '../secrets/secret-box.ts';
import { issueCredential } from './connector-credentials.ts';
import { ConnectorSealing, type StoredConnector } from './connector-record.ts';
import type { ConnectorEntry } from './registry-store.ts';

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const secretsOf = (kind: string) => (kind === 'dvcqg' ? ['password', 'tlsClientKey'] : ['tlsClientKey']);
const sealing = (current: Buffer, old: Buffer[] = []) => new ConnectorSealing(new SecretBox({ current, old }), secretsOf);

const ENTRY: ConnectorEntry = {
  manifest: {
    id: 'qn-dvcqg',
    agency: '000.00.00.H49',
    kind: 'dvcqg',
    subscriptions: [],
    delivery: {
      timeoutMs: 10_000,
      retrySchedule: ['5s'],
      maxInFlight: 1,
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 30_000 },
      mode: 'binary',
      signatureVersions: ['v1', 'v2'],
    },
    settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: 'mat-khau-bi-mat' },
  },
  credential: issueCredential('qn-dvcqg').credential,
  createdAt: '2025-07-01T00:00:00.000Z',
  updatedAt: '2025-07-01T00:00:00.000Z',
};
const RECORD = 'connector/qn-dvcqg';
const stored = (s: ConnectorSealing, entry = ENTRY) => JSON.parse(JSON.stringify(s.seal(entry))) as StoredConnector;

describe('a connector record', () => {
  it('keeps no secret setting and no signing key in clear, and reads back the same entry', () => {
    const record = stored(sealing(KEY_A));
    const text = JSON.stringify(record);
    expect(text).not.toContain('mat-khau-bi-mat');
    expect(text).not.toContain(ENTRY.credential.signingKey);
    expect(record.manifest.settings).toEqual({ adapterUrl: 'http://127.0.0.1:9/', username: 'qn' });
    expect(record.credential).toEqual({ secretSha256: ENTRY.credential.secretSha256 });
    expect(sealing(KEY_A).open(RECORD, record)).toEqual({ entry: ENTRY, stale: false });
  });

  it('is stale when sealed with an old key, or written in clear before secrets were sealed', () => {
    expect(sealing(KEY_B, [KEY_A]).open(RECORD, stored(sealing(KEY_A)))).toEqual({ entry: ENTRY, stale: true });
    expect(sealing(KEY_A).open(RECORD, JSON.parse(JSON.stringify(ENTRY)) as StoredConnector)).toEqual({ entry: ENTRY, stale: true });
  });

  it('does not open under another connector id', () => {
    expect(() => sealing(KEY_A).open('connector/qn-other', stored(sealing(KEY_A)))).toThrow(SecretsError);
  });

  it('refuses with the key id when its key is not given', () => {
    expect(() => sealing(KEY_B).open(RECORD, stored(sealing(KEY_A)))).toThrow(
      /registry record connector\/qn-dvcqg is sealed with secrets key [0-9a-f]{16}.*LGSP_SECRETS_OLD_KEYS/,
    );
  });
});
