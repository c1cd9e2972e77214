import { describe, expect, it } from 'vitest';
import { HubError } from '../contract/problems.ts';
import { createLogger } from '../ops/logger.ts';
import type { OperatorAction } from './audit-entry.ts';
import { OperatorAccounts } from './operator-accounts.ts';
import type { OperatorRecord } from './operator-tokens.ts';

const BOOT = 'bootstrap-token-0123456789';

/** The registry's operator part, in memory (the integration tests use the real topic). */
function memoryRegistry() {
  const records = new Map<string, OperatorRecord>();
  return {
    records,
    operators: () => [...records.values()],
    operator: (name: string) => records.get(name),
    putOperator: async (r: OperatorRecord) => void records.set(r.name, r),
    deleteOperator: async (name: string) => void records.delete(name),
  };
}

async function started(clock = { now: Date.parse('2026-01-01T00:00:00Z') }) {
  const registry = memoryRegistry();
  const accounts = new OperatorAccounts(registry, () => clock.now);
  const audited: OperatorAction[] = [];
  await accounts.bootstrap({ value: BOOT, generated: false }, async (a) => void audited.push(a), createLogger({ logLevel: 'silent', logPretty: false }));
  return { registry, accounts, audited, clock };
}

const code = (attempt: () => Promise<unknown>) =>
  attempt().then(
    () => 'done',
    (err: unknown) => (err instanceof HubError ? err.code : String(err)),
  );

describe('operator accounts', () => {
  it('bootstrap the admin from LGSP_ADMIN_TOKEN once, keeping only its hash, and audit it', async () => {
    const { registry, accounts, audited } = await started();
    expect(accounts.verify(BOOT)).toEqual({ operator: true, name: 'admin', role: 'admin' });
    expect(JSON.stringify([...registry.records.values()])).not.toContain(BOOT);
    expect(audited).toEqual([expect.objectContaining({ operator: 'admin', action: 'bootstrap', outcome: 201 })]);
    await accounts.bootstrap(
      { value: 'another-token-0123456789', generated: false },
      async () => undefined,
      createLogger({ logLevel: 'silent', logPretty: false }),
    );
    expect(accounts.verify('another-token-0123456789'), 'a registry with operators ignores LGSP_ADMIN_TOKEN').toBeUndefined();
  });

  it('issue lgsp-op tokens that name their operator, and refuse wrong or borrowed ones', async () => {
    const { accounts } = await started();
    const { token } = await accounts.create('lan', 'viewer', 'admin');
    expect(token).toMatch(/^lgsp-op\.lan\.[\w-]{43}$/);
    expect(accounts.verify(token)).toEqual({ operator: true, name: 'lan', role: 'viewer' });
    expect(accounts.verify(`${token}x`)).toBeUndefined();
    expect(accounts.verify(token.replace('lgsp-op.lan.', 'lgsp-op.admin.'))).toBeUndefined();
    expect(accounts.verify(token.replace('lgsp-op.lan.', 'lgsp-op.nobody.'))).toBeUndefined();
    expect(await code(() => accounts.create('lan', 'admin', 'admin'))).toBe('conflict');
  });

  it('keep a rotated token working for the overlap only', async () => {
    const { accounts, clock } = await started();
    const { token: old } = await accounts.create('minh', 'operator', 'admin');
    const { token: fresh, record } = await accounts.rotate('minh', 60_000);
    expect(record.previous?.until).toBe('2026-01-01T00:01:00.000Z');
    expect(accounts.verify(old)?.name).toBe('minh');
    expect(accounts.verify(fresh)?.name).toBe('minh');
    clock.now += 60_000;
    expect(accounts.verify(old)).toBeUndefined();
    expect(accounts.verify(fresh)?.name).toBe('minh');
    const { token: third } = await accounts.rotate('minh', 0);
    expect(accounts.verify(fresh), 'no overlap: the old token stops at once').toBeUndefined();
    expect(accounts.verify(third)?.name).toBe('minh');
  });

  it('never delete or demote the last admin', async () => {
    const { accounts } = await started();
    expect(await code(() => accounts.delete('admin'))).toBe('conflict');
    expect(await code(() => accounts.setRole('admin', 'operator'))).toBe('conflict');
    await accounts.create('hoa', 'admin', 'admin');
    expect(await code(() => accounts.setRole('admin', 'viewer'))).toBe('done');
    expect(await code(() => accounts.delete('hoa'))).toBe('conflict');
    expect(await code(() => accounts.delete('admin'))).toBe('done');
    expect(await code(() => accounts.delete('admin'))).toBe('not-found');
  });
});
