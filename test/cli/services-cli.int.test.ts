/**
 * `lgsp services ...` as a child process against a hub on the real test broker: an operator
 * registers a service from a file, grants, refuses and revokes; a connector reads the catalogue
 * with its own token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { importDemoAgencies, registerConnector, startTestHub } from '../helpers/hub.ts';
import { lgsp, type LgspRun } from './run-lgsp.ts';

const SERVICE = {
  id: 'business-lookup',
  provider: 'qn-dkkd-gateway',
  endpoint: 'http://127.0.0.1:9/dkkd',
  title: 'Tra cứu doanh nghiệp (business registration lookup)',
  version: '1.0.0',
  classification: 'public',
};

function expectExit(run: LgspRun, code: number): LgspRun {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toMatchObject({ code });
  return run;
}

describe('lgsp services', () => {
  let hub: Hub;
  let dir: string;
  let file: string;
  let consumerToken: string;
  const run = (args: string[], env?: Record<string, string | undefined>) => lgsp(hub.url, args, { ...(env ? { env } : {}) });

  beforeAll(async () => {
    hub = await startTestHub();
    await importDemoAgencies(hub.url);
    await registerConnector(hub.url, { id: SERVICE.provider, agency: '000.00.00.H49', kind: 'webhook' });
    consumerToken = await registerConnector(hub.url, { id: 'qn-honggai-motcua', agency: '000.02.05.H49', kind: 'webhook' });
    dir = await mkdtemp(join(tmpdir(), 'lgsp-services-'));
    file = join(dir, 'service.json');
    await writeFile(file, JSON.stringify(SERVICE));
  });
  afterAll(async () => {
    await hub?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers from a file, says how to replace it, and replaces it with --replace', async () => {
    expect(expectExit(await run(['services', 'register', file]), 0).stdout).toBe(
      'registered service business-lookup 1.0.0 of qn-dkkd-gateway; grant it: lgsp services grant business-lookup --consumer <connector or agency> --purpose <code>\n',
    );
    expect(expectExit(await run(['services', 'register', file]), 1).stderr).toContain(
      `hint: the service exists: lgsp services register ${file} --replace replaces it.`,
    );
    await writeFile(file, JSON.stringify({ ...SERVICE, version: '1.1.0' }));
    expect(expectExit(await run(['services', 'register', file, '--replace']), 0).stdout).toContain('replaced service business-lookup 1.1.0');
  });

  it('lists and shows the catalogue to a connector with its own token', async () => {
    const asConnector = { LGSP_ADMIN_TOKEN: undefined, LGSP_CONNECTOR_TOKEN: consumerToken };
    const list = expectExit(await run(['services', 'list'], asConnector), 0).stdout;
    expect(list).toMatch(/^ID\s+VERSION\s+CLASSIFICATION\s+PROVIDER\s+TITLE\nbusiness-lookup\s+1\.1\.0\s+public\s+qn-dkkd-gateway\s+Tra cứu doanh nghiệp/);
    expect(list).toContain('1 service\n');
    const shown = expectExit(await run(['services', 'show', 'business-lookup'], asConnector), 0).stdout;
    expect(shown).toContain('openapi         /v1/services/business-lookup/openapi.json');
    expect(shown).not.toContain('endpoint');
    expect(expectExit(await run(['services', 'show', 'tax-lookup']), 1).stderr).toContain('hint: check the id: lgsp services list shows the catalogue');
  });

  it('grants, refuses with a reason and revokes; lists them', async () => {
    const granted = expectExit(
      await run([
        'services',
        'grant',
        'business-lookup',
        '--consumer',
        '000.02.05.H49',
        '--purpose',
        'dossier-intake',
        '--quota',
        '30',
        '--note',
        'Kiểm tra doanh nghiệp',
      ]),
      0,
    ).stdout;
    const grantId = /grant id ([0-9a-f-]{36})/.exec(granted)?.[1];
    expect(granted).toMatch(/^granted business-lookup to 000\.02\.05\.H49 for dossier-intake; grant id /);
    expect(expectExit(await run(['services', 'refuse', 'business-lookup', '--consumer', 'qn-honggai-motcua']), 2).stderr).toContain(
      'error: services refuse needs --reason',
    );
    expect(expectExit(await run(['services', 'grant', 'business-lookup', '--consumer', 'qn-x', '--purpose', 'p', '--quota', 'many']), 2).stderr).toContain(
      '--quota must be a whole number',
    );
    expect(
      expectExit(await run(['services', 'refuse', 'business-lookup', '--consumer', 'qn-honggai-motcua', '--reason', 'Điều 10 Nghị định 47/2020/NĐ-CP']), 0)
        .stdout,
    ).toMatch(/^recorded refusal [0-9a-f-]{36}: business-lookup refused to qn-honggai-motcua\n$/);

    const listed = expectExit(await run(['services', 'grants', 'business-lookup']), 0).stdout;
    expect(listed).toMatch(new RegExp(`${grantId}\\s+000\\.02\\.05\\.H49\\s+dossier-intake\\s+-\\s+30\\s+admin `));
    expect(listed).toContain('Điều 10 Nghị định 47/2020/NĐ-CP');
    expect(listed).toContain('1 grant, 1 refusal');

    expect(expectExit(await run(['services', 'revoke', 'business-lookup', grantId!]), 0).stdout).toBe(`revoked grant ${grantId} of business-lookup\n`);
    expect(expectExit(await run(['services', 'grants', 'business-lookup']), 0).stdout).toContain('no grants');
  });

  it('shows the call log: the consumer its own calls, the operator every call', async () => {
    const refused = await fetch(`${hub.url}/v1/services/business-lookup/enterprises/5700100256`, {
      headers: { authorization: `Bearer ${consumerToken}`, 'x-lgsp-officer': 'CB-0042', 'x-lgsp-purpose': 'dossier-intake' },
    });
    expect(refused.status).toBe(403);
    const callId = refused.headers.get('x-lgsp-call-id')!;
    const asOperator = expectExit(await run(['services', 'calls', 'business-lookup', '--outcome', 'not-granted']), 0).stdout;
    expect(asOperator).toContain(callId);
    expect(asOperator).toMatch(/qn-honggai-motcua \(000\.02\.05\.H49\)\s+CB-0042\s+dossier-intake\s+GET \/enterprises\/5700100256\s+403 not-granted/);
    const asConsumer = { LGSP_ADMIN_TOKEN: undefined, LGSP_CONNECTOR_TOKEN: consumerToken };
    expect(expectExit(await run(['services', 'calls', 'business-lookup'], asConsumer), 0).stdout).toContain('1 call');
  });
});
