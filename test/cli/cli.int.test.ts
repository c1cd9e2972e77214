/**
 * `lgsp` end to end: every command run as a child process against a hub in this process, on the
 * real test broker. The story of a province's operator: load the directory, register two
 * connectors, rotate a token, send a document that the commune refuses once, find the dead
 * letter, replay it, and trace the message through dead-lettered → replayed → delivered.
 * The readable trace is saved to test-artifacts/trace-replayed.txt.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/kafka/local-broker.ts';
import { signingKeyOf } from '../../connectors/kit/signature.ts';
import { startWebhookSimulator, type WebhookSimulator } from '../../connectors/webhook/simulator.ts';
import type { Hub } from '../../src/hub.ts';
import type { Trace } from '../../src/tracking/trace.ts';
import { FAST_RETRIES } from '../helpers/agencies.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, OTHER, SENDER } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { lgsp, type LgspRun } from './run-lgsp.ts';

const COMMUNE = { id: 'qn-hong-gai', agency: '000.02.05.H49' } as const;

/** The run's exit code and output, shown whole when an expectation on it fails. */
function expectExit(run: LgspRun, code: number): LgspRun {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toMatchObject({ code });
  return run;
}

describe('lgsp, the command line', () => {
  let hub: Hub;
  let dir: string;
  let commune: WebhookSimulator | undefined;
  let senderToken = '';
  const run = (args: string[], env?: Record<string, string | undefined>) => lgsp(hub.url, args, { ...(env ? { env } : {}) });
  const file = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    dir = await mkdtemp(join(tmpdir(), 'lgsp-cli-'));
  });
  afterAll(async () => {
    await commune?.close();
    await hub?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers usage errors with exit 2 and the usage, without asking the hub', async () => {
    expect(expectExit(await run([]), 2).stderr).toContain('usage: lgsp <group> <command>');
    expect(expectExit(await run(['connectors', 'launch']), 2).stderr).toContain('unknown command "connectors launch"; known: register, list, show, rotate');
    expect(expectExit(await run(['connectors', 'show']), 2).stderr).toMatch(/error: connectors show takes <id> \(got none\)\nhint: lgsp connectors show <id>/);
    expect(expectExit(await run(['dead-letters', 'list', '--colour']), 2).stderr).toContain("error: Unknown option '--colour'");
    expect(expectExit(await run(['agencies', 'list'], { LGSP_ADMIN_TOKEN: undefined }), 2).stderr).toContain(
      'error: LGSP_ADMIN_TOKEN is not set\nhint: export LGSP_ADMIN_TOKEN=',
    );
    expect(expectExit(await run(['send', join(dir, 'missing.json')], { LGSP_CONNECTOR_TOKEN: 'x' }), 2).stderr).toContain('missing.json: no such file');
    expect(expectExit(await run(['--help']), 0).stdout).toContain('lgsp dead-letters replay <id...> | --connector <id>');
  });

  it('exits 3 with what to do when the hub cannot be reached', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const result = expectExit(await run(['connectors', 'list', '--hub', nobody]), 3);
    expect(result.stderr).toBe(
      `error: cannot reach the hub at ${nobody} (ECONNREFUSED)\nhint: start the hub (npm start), or point --hub / LGSP_HUB_URL at it.\n`,
    );
  });

  it('exits 1 and prints the problem when the hub refuses the operator token', async () => {
    const result = expectExit(await run(['agencies', 'list'], { LGSP_ADMIN_TOKEN: 'not-the-operator-token' }), 1);
    expect(result.stderr).toMatch(
      /^error: Missing or wrong credentials: .+\nhint: set LGSP_ADMIN_TOKEN to your operator token for the hub at http:\/\/127\.0\.0\.1:\d+ \(an admin issues one/,
    );
    expect(result.stdout).toBe('');
  });

  it('agencies import loads the demo directory, all or nothing, and agencies list shows it', async () => {
    const bad = expectExit(await run(['agencies', 'import', await file('bad.json', [{ code: 'not a code', name: 'X', level: 'unit' }])]), 1);
    expect(bad.stderr).toMatch(/^error: [^\n]+\n {2}\/0\/code: /);
    expect(bad.stderr).toContain('hint: fix each path listed above; nothing was written.');

    expect(expectExit(await run(['agencies', 'import', 'directory/demo-province.json']), 0).stdout).toBe(
      'imported 13 agencies from directory/demo-province.json\n',
    );
    const list = expectExit(await run(['agencies', 'list']), 0).stdout;
    expect(list).toMatch(/^CODE +LEVEL +PARENT +CHILDREN +NAME\n/);
    expect(list).toMatch(/000\.02\.05\.H49 +commune +\S+ +0 +Ủy ban nhân dân phường Hồng Gai\n/);
    expect(list.trimEnd().split('\n').at(-1)).toBe('13 agencies');
    const { agencies } = JSON.parse(expectExit(await run(['agencies', 'list', '--json']), 0).stdout) as { agencies: { code: string }[] };
    expect(agencies.map((a) => a.code)).toContain(COMMUNE.agency);
  });

  it('connectors register prints the token once with a warning; list, show and rotate', async () => {
    const senderManifest = await file('sender.json', { ...SENDER, kind: 'webhook', description: 'Hệ thống quản lý văn bản của Sở Tư pháp' });
    const registered = expectExit(await run(['connectors', 'register', senderManifest]), 0);
    expect(registered.stdout).toMatch(/^registered connector qn-stp-eoffice \(webhook\) for agency 000\.00\.15\.H49, send only\ntoken: \S+\n$/);
    expect(registered.stderr).toContain('warning: the hub shows this token once: store it now');
    const firstToken = /token: (\S+)/.exec(registered.stdout)![1]!;

    const port = await freePort();
    const communeManifest = await file('commune.json', {
      ...COMMUNE,
      kind: 'webhook',
      endpoint: `http://127.0.0.1:${port}/events`,
      subscriptions: [{ type: 'vn.gov.document.sent' }],
      delivery: { retrySchedule: [...FAST_RETRIES.schedule], timeoutMs: 2_000 },
    });
    const answer = JSON.parse(expectExit(await run(['connectors', 'register', communeManifest, '--json']), 0).stdout) as {
      connector: { id: string };
      token: string;
    };
    expect(answer.connector.id).toBe(COMMUNE.id);
    commune = await startWebhookSimulator({ signingKey: signingKeyOf(answer.token), port });

    const again = expectExit(await run(['connectors', 'register', communeManifest]), 1);
    expect(again.stderr).toMatch(/^error: It exists already: A connector "qn-hong-gai" is registered already/);
    const invalid = expectExit(await run(['connectors', 'register', await file('invalid.json', { id: 'x', agency: COMMUNE.agency, kind: 'webhook' })]), 1);
    expect(invalid.stderr).toMatch(/\n {2}\/id: /);

    const list = expectExit(await run(['connectors', 'list']), 0).stdout;
    expect(list).toMatch(/^ID +AGENCY +KIND +ENDPOINT +SUBSCRIPTIONS +UPDATED\n/);
    expect(list).toMatch(new RegExp(`qn-hong-gai +000\\.02\\.05\\.H49 +webhook +http://127\\.0\\.0\\.1:${port}/events +vn\\.gov\\.document\\.sent`));
    expect(list).toContain('2 connectors');
    const { connectors } = JSON.parse(expectExit(await run(['connectors', 'list', '--json']), 0).stdout) as { connectors: { id: string }[] };
    expect(connectors.map((c) => c.id).sort()).toEqual([COMMUNE.id, SENDER.id]);

    const shown = expectExit(await run(['connectors', 'show', COMMUNE.id]), 0).stdout;
    expect(shown).toMatch(
      new RegExp(`^id {13}qn-hong-gai\\nagency {9}000\\.02\\.05\\.H49\\nkind {11}webhook\\nendpoint {7}http://127\\.0\\.0\\.1:${port}/events\\n`),
    );
    expect(shown).toContain('delivery       timeout 2000 ms; retries 300ms, 1s, 2s');
    expect((JSON.parse(expectExit(await run(['connectors', 'show', SENDER.id, '--json']), 0).stdout) as { description: string }).description).toBe(
      'Hệ thống quản lý văn bản của Sở Tư pháp',
    );
    const unknown = expectExit(await run(['connectors', 'show', 'qn-nobody']), 1);
    expect(unknown.stderr).toBe(
      'error: Not found: No connector "qn-nobody" is registered.\nhint: check the id: lgsp connectors list shows the registered connectors.\n',
    );

    const rotated = expectExit(await run(['connectors', 'rotate', SENDER.id]), 0);
    expect(rotated.stdout).toMatch(/^new token for qn-stp-eoffice: \S+\nthe previous token works until \S+; the hub now signs/);
    expect(rotated.stderr).toContain('warning: the hub shows this token once');
    senderToken = /: (\S+)\n/.exec(rotated.stdout)![1]!;
    expect(senderToken).not.toBe(firstToken);
    const { token } = JSON.parse(expectExit(await run(['connectors', 'rotate', SENDER.id, '--json']), 0).stdout) as { token: string };
    expect(token).not.toBe(senderToken);
    senderToken = token;

    // The rotated-away token no longer sends.
    const stale = expectExit(await run(['send', await file('stale.json', documentSent({ to: COMMUNE.agency })), '--token', firstToken]), 1);
    expect(stale.stderr).toMatch(/^error: Missing or wrong credentials: [^\n]+\nhint: pass the connector's token \(--token or LGSP_CONNECTOR_TOKEN\)/);
  });

  it('send, dead-letters list/show/replay and trace follow a refused document until it is delivered', async () => {
    expect(commune, 'the previous test registered the commune').toBeDefined();
    expect(expectExit(await run(['send', await file('no-token.json', documentSent())]), 2).stderr).toContain('error: no connector token');

    commune!.faults.set({ kind: 'reject', status: 422, body: { error: 'Thiếu số ký hiệu văn bản' }, times: 1 });
    const message = documentSent({ to: COMMUNE.agency });
    const sent = expectExit(await run(['send', await file('event.json', message)], { LGSP_CONNECTOR_TOKEN: senderToken }), 0).stdout;
    expect(sent).toMatch(
      new RegExp(
        `^accepted 1 message\\nID +SOURCE +HUB ID\\n${message.id as string} +urn:lgsp:agency:000\\.00\\.15\\.H49 +[0-9a-f-]{36}\\nfollow it with: lgsp trace [0-9a-f-]{36}\\n$`,
      ),
    );
    const hubId = /lgsp trace (\S+)/.exec(sent)![1]!;

    type Letter = { id: string; hubId?: string; status?: number };
    const letter = await waitFor(
      'the dead letter, through the CLI',
      async () => {
        const { deadLetters } = JSON.parse(expectExit(await run(['dead-letters', 'list', '--connector', COMMUNE.id, '--json']), 0).stdout) as {
          deadLetters: Letter[];
        };
        return deadLetters[0];
      },
      30_000,
    );
    expect(letter).toMatchObject({ hubId, status: 422 });

    const listed = expectExit(await run(['dead-letters', 'list', '--stage', 'deliver']), 0).stdout;
    expect(listed).toMatch(/^ID +AT +CONNECTOR +STAGE +STATUS +REASON +HUB ID +REPLAYED\n/);
    expect(listed).toMatch(
      new RegExp(`${letter.id} +\\S+ +qn-hong-gai +deliver +422 +.+ +${hubId} +-\\n1 dead letter; details: lgsp dead-letters show <id>\\n$`),
    );
    const badQuery = expectExit(await run(['dead-letters', 'list', '--from', 'yesterday']), 1);
    expect(badQuery.stderr).toContain('\n  /from: must be an ISO 8601 time');

    const shown = expectExit(await run(['dead-letters', 'show', letter.id]), 0).stdout;
    expect(shown).toMatch(
      new RegExp(`^id +${letter.id}\\nat +\\S+\\nconnector +qn-hong-gai\\nagency +000\\.02\\.05\\.H49\\nstage +deliver\\nstatus +HTTP 422\\n`),
    );
    expect(shown).toContain("recipient's answer\n");
    expect(shown).toContain('Thiếu số ký hiệu văn bản');
    expect(shown).toContain(`replay it: lgsp dead-letters replay ${letter.id}\ntrace it: lgsp trace ${hubId}`);
    expect(
      (JSON.parse(expectExit(await run(['dead-letters', 'show', letter.id, '--json']), 0).stdout) as { original: { encoding: string } }).original.encoding,
    ).toBe('utf8');

    expect(expectExit(await run(['dead-letters', 'replay', '1:2', '--from', '2025-01-01T00:00:00Z']), 2).stderr).toContain('give either ids or a time range');
    const replayed = expectExit(await run(['dead-letters', 'replay', letter.id]), 0).stdout;
    expect(replayed).toMatch(new RegExp(`^replayed 1 dead letter: ${letter.id}\\n`));

    await waitFor(
      'the replayed delivery, through lgsp trace --json',
      async () => {
        const t = JSON.parse(expectExit(await run(['trace', hubId, '--json']), 0).stdout) as Trace;
        return t.recipients[0]?.state === 'delivered';
      },
      30_000,
    );
    expect(commune!.received().map((r) => r.event.id)).toContain(message.id);

    const readable = expectExit(await run(['trace', hubId]), 0).stdout;
    await mkdir('test-artifacts', { recursive: true });
    await writeFile('test-artifacts/trace-replayed.txt', `$ lgsp trace ${hubId}\n${readable}`);
    expect(readable).toMatch(new RegExp(`^message +${message.id as string} +\\(hub id ${hubId}\\)\\ntype +vn\\.gov\\.document\\.sent\\n`));
    expect(readable).toContain('\nsummary: 1 recipient: 1 delivered\n');
    expect(readable).toMatch(
      /\nRECIPIENT +AGENCY +STATE +ATTEMPTS +LAST ERROR +BUSINESS STATUS\nqn-hong-gai +000\.02\.05\.H49 +delivered +\d+ +deliver: HTTP 422\b.* +-\n/,
    );
    const kinds = readable
      .trimEnd()
      .slice(readable.indexOf('\ntimeline\n'))
      .split('\n')
      .slice(3)
      .map((line) => line.split(/ {2,}/)[2]);
    expect(kinds).toEqual(['accepted', 'routed', 'dead-lettered', 'replayed', 'delivered']);

    // The same message through its trace URL, with the sender's own token instead of the operator's.
    const own = expectExit(await run(['trace', `${hub.url}/v1/messages/${hubId}`, '--token', senderToken], { LGSP_ADMIN_TOKEN: undefined }), 0).stdout;
    expect(own).toBe(readable);

    // A letter replayed already is skipped: exit 1; nothing left for the connector: exit 0.
    const twice = expectExit(await run(['dead-letters', 'replay', letter.id]), 1);
    expect(twice.stdout).toMatch(new RegExp(`^replayed nothing\\nskipped 1:\\nID +REASON\\n${letter.id} +\\S`));
    expect(twice.stderr).toContain('error: 1 dead letter was not replayed (reasons above)');
    expect(JSON.parse(expectExit(await run(['dead-letters', 'replay', '--connector', COMMUNE.id, '--json']), 0).stdout)).toEqual({ replayed: [], skipped: [] });
    expect(expectExit(await run(['dead-letters', 'list']), 0).stdout).toBe('no dead letters waiting for replay (--all includes replayed ones)\n');
    expect(expectExit(await run(['dead-letters', 'list', '--all']), 0).stdout).toMatch(new RegExp(`${letter.id} .+ replayed \\S+\\n`));
  });

  it('operators create, set-role, rotate, list and delete; audit shows who did what', async () => {
    const created = expectExit(await run(['operators', 'create', 'lan', '--role', 'viewer']), 0);
    const token = /^token: (lgsp-op\.lan\.\S+)$/m.exec(created.stdout)?.[1];
    expect(token, created.stdout).toBeDefined();
    expect(created.stderr).toContain('warning: the hub shows this token once');
    const refused = expectExit(await run(['connectors', 'rotate', SENDER.id], { LGSP_ADMIN_TOKEN: token }), 1);
    expect(refused.stderr).toMatch(/needs the role operator; operator "lan" has the role viewer.*\nhint: the detail names what is needed/s);
    expect(expectExit(await run(['operators', 'set-role', 'lan', 'operator']), 0).stdout).toBe('lan now has the role operator\n');
    expect(expectExit(await run(['operators', 'rotate', 'lan', '--overlap', '0s']), 0).stdout).toMatch(/old token\s+no longer works/);
    expect(expectExit(await run(['agencies', 'list'], { LGSP_ADMIN_TOKEN: token }), 1).stderr).toContain('Missing or wrong credentials');
    expect(expectExit(await run(['operators', 'list']), 0).stdout).toMatch(/^admin\s+admin\s+LGSP_ADMIN_TOKEN.*\nlan\s+operator\s+admin/m);
    expect(expectExit(await run(['operators', 'create', 'x', '--role', 'boss']), 2).stderr).toContain('the role must be one of viewer, operator, admin');
    expect(expectExit(await run(['operators', 'delete', 'admin']), 1).stderr).toContain('is the last admin');
    expect(expectExit(await run(['operators', 'delete', 'lan']), 0).stdout).toBe('deleted operator lan\n');

    const trail = expectExit(await run(['audit', '--since', '1h', '--limit', '6']), 0).stdout;
    const lines = trail
      .split('\n')
      .slice(1, 7)
      .map((l) => l.split(/\s{2,}/).slice(1));
    expect(lines).toEqual([
      ['admin', 'admin', 'DELETE /v1/operators/{name}', 'name=lan', '204'],
      ['admin', 'admin', 'DELETE /v1/operators/{name}', 'name=admin', '409 conflict'],
      ['(refused as lan)', '-', 'GET /v1/agencies', '-', '401 unauthenticated'],
      ['admin', 'admin', 'POST /v1/operators/{name}:rotate', 'name=lan overlap=0s', '200'],
      ['admin', 'admin', 'PUT /v1/operators/{name}', 'name=lan role=operator', '200'],
      ['lan', 'viewer', 'POST /v1/connectors/{id}:rotate', `id=${SENDER.id}`, '403 forbidden'],
    ]);
    expect(expectExit(await run(['audit', '--operator', 'lan', '--json']), 0).stdout).toContain('"problem": "forbidden"');
  });

  it('send posts an array as a batch, and the launcher bin/lgsp runs from any directory', async () => {
    const batch = [documentSent({ to: OTHER.agency }), documentSent({ to: COMMUNE.agency })];
    const answer = JSON.parse(expectExit(await run(['send', await file('batch.json', batch), '--json', '--token', senderToken]), 0).stdout) as {
      accepted: { id: string; trace: string }[];
    };
    expect(answer.accepted.map((a) => a.id)).toEqual(batch.map((e) => e.id));

    const invalid = expectExit(
      await run(['send', await file('invalid-batch.json', [documentSent(), documentSent({ type: 'vn.gov.nothing' })]), '--token', senderToken]),
      1,
    );
    expect(invalid.stderr).toMatch(/^error: [^\n]+nothing was accepted[^\n]*\n {2}\/1\/type: must match pattern/);
    expect(invalid.stderr).toContain("(it starts with the event's index); nothing was accepted.");

    // The trace shows up once the hub has read the message's first audit event.
    const viaLauncher = await waitFor(
      "the batch's trace through bin/lgsp",
      async () => {
        const result = await lgsp(hub.url, ['trace', answer.accepted[1]!.trace], { launcher: true, cwd: dir });
        return result.code === 0 && result;
      },
      30_000,
    );
    expect(viaLauncher.stdout).toMatch(/^message +\S+ +\(hub id [0-9a-f-]{36}\)\n/);
  });
});
