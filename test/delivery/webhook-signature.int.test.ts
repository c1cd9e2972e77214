/**
 * Signature v2 of real deliveries (docs/webhooks.md): the plain-Node verifier quoted in the docs
 * accepts what the hub sends and refuses the same delivery re-sent after the window, re-addressed
 * or altered; `lgsp verify-webhook` says so from captured files.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '../../connectors/webhook/simulator.ts';
import { lgsp } from '../cli/run-lgsp.ts';
import { useDeliveryHub } from '../helpers/agencies.ts';
import { docsVerifier, type DocsVerifier } from '../helpers/docs-verifier.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const RECEIVER = { id: 'qn-ubnd-tinh', agency: '000.00.00.H49' } as const;

describe('signature v2 of a real delivery', () => {
  const delivery = useDeliveryHub({ [RECEIVER.id]: RECEIVER.agency });
  let dir: string;
  let verify: DocsVerifier;
  let captured: ReceivedEvent;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-webhook-'));
    verify = await docsVerifier(dir);

    const message = documentSent({ to: RECEIVER.agency, subject: 'Công văn về việc báo cáo tình hình' });
    expect((await post(delivery.hub.url, message, { token: delivery.token })).status).toBe(202);
    const system = delivery.systems[RECEIVER.id]!;
    captured = await waitFor('the delivery', () => system.sim.received().find((r) => r.event.id === message.id));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('carries webhook-id (the hub id), webhook-timestamp and webhook-signature beside the deprecated X-LGSP-Signature', () => {
    expect(captured.headers).toMatchObject({
      'webhook-id': captured.idempotencyKey,
      'webhook-timestamp': expect.stringMatching(/^\d{10}$/),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/=]{44}$/),
      'x-lgsp-signature': expect.stringMatching(/^sha256=/),
      'ce-type': 'vn.gov.document.sent',
    });
  });

  it("the docs' plain-Node verifier accepts it, and refuses it re-sent later, re-addressed or altered", () => {
    const { headers, body } = captured;
    const token = delivery.systems[RECEIVER.id]!.token;
    expect(verify(headers, body, token)).toBe(true);
    expect(verify(headers, body, token, Date.now() + 6 * 60_000)).toBe(false);
    expect(verify({ ...headers, 'ce-type': 'vn.gov.document.revoked' }, body, token)).toBe(false);
    expect(verify({ ...headers, 'ce-source': 'urn:lgsp:agency:000.00.16.H49' }, body, token)).toBe(false);
    expect(verify({ ...headers, 'ce-to': '000.00.16.H49' }, body, token)).toBe(false);
    expect(verify({ ...headers, 'webhook-id': 'another-id' }, body, token)).toBe(false);
    expect(verify(headers, Buffer.concat([body, Buffer.from('\n')]), token)).toBe(false);
    expect(verify(headers, body, delivery.token)).toBe(false); // another connector's token
  });

  it('lgsp verify-webhook checks the captured files offline, and says why a re-addressed copy fails', async () => {
    const token = delivery.systems[RECEIVER.id]!.token;
    const raw = Object.entries(captured.headers).map(([name, value]) => `${name}: ${String(value)}`);
    await writeFile(join(dir, 'headers.txt'), ['POST /events HTTP/1.1', ...raw, ''].join('\r\n'));
    await writeFile(join(dir, 'tampered.json'), JSON.stringify({ ...captured.headers, 'ce-type': 'vn.gov.document.revoked' }));
    await writeFile(join(dir, 'body.bin'), captured.body);
    const ok = await lgsp(delivery.hub.url, ['verify-webhook', '--headers', join(dir, 'headers.txt'), '--body', join(dir, 'body.bin'), '--token', token]);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining(`verified (webhook-id ${captured.idempotencyKey}`) });
    expect(ok.stdout).toContain('ce-type:vn.gov.document.sent');
    const bad = await lgsp(delivery.hub.url, ['verify-webhook', '--headers', join(dir, 'tampered.json'), '--body', join(dir, 'body.bin'), '--token', token]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('bad-signature');
    const late = await lgsp(delivery.hub.url, [
      ...['verify-webhook', '--headers', join(dir, 'headers.txt'), '--body', join(dir, 'body.bin'), '--token', token],
      ...['--at', String(Number(captured.headers['webhook-timestamp']) + 600)],
    ]);
    expect(late).toMatchObject({ code: 1, stdout: expect.stringContaining('outside-window'), stderr: expect.stringContaining('--at') });
  });
});
