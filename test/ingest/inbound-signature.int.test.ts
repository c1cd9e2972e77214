/**
 * `auth.scheme: "hmac-sha256"` (docs/webhooks.md): such a connector signs every request to the hub
 * with the Standard Webhooks headers over its exact body bytes; unsigned, wrongly signed, stale or
 * replayed requests are `401 bad-signature`, whatever route they call, and checked before the body
 * is parsed. A `bearer` connector is not asked for a signature.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeaders, signingKeyOf } from '../../connectors/kit/signature.ts';
import type { Hub } from '../../src/hub.ts';
import { importDemoAgencies, registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, SENDER } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SIGNED = { id: 'qn-stp-signed', agency: SENDER.agency } as const;
const EVENT = 'application/cloudevents+json';

interface Signing {
  token?: string;
  key?: string;
  id?: string;
  now?: number;
}

describe('requests of an hmac-sha256 connector', () => {
  let hub: Hub;
  let token: string;
  let bearerToken: string;

  beforeAll(async () => {
    hub = await startTestHub(testConfig());
    await importDemoAgencies(hub.url);
    token = await registerConnector(hub.url, { ...SIGNED, kind: 'webhook', auth: { scheme: 'hmac-sha256' } });
    bearerToken = await registerConnector(hub.url, { id: 'qn-stp-bearer', agency: SENDER.agency, kind: 'webhook' });
  });
  afterAll(async () => {
    await hub?.close();
  });

  /** The headers of a request signed as `signing` says (by default: right, now, with a new id). */
  function signed(body: Buffer, signing: Signing = {}): Record<string, string> {
    const signingKey = signing.key ?? signingKeyOf(signing.token ?? token);
    const id = signing.id ?? randomUUID();
    return signatureHeaders({ signingKey, versions: ['v2'], id, headers: {}, body, ...(signing.now === undefined ? {} : { now: signing.now }) });
  }

  async function send(path: string, body: Buffer | undefined, headers: Record<string, string>, as = token) {
    const res = await fetch(`${hub.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${as}`, ...(body === undefined ? {} : { 'content-type': EVENT }), ...headers },
      ...(body === undefined ? {} : { body: new Uint8Array(body) }),
    });
    return {
      status: res.status,
      challenge: res.headers.get('www-authenticate'),
      body: (await res.json()) as { type?: string; detail?: string; accepted?: { trace: string }[] },
    };
  }

  const bytes = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
  const badSignature = (detail: RegExp) => ({
    status: 401,
    challenge: 'Bearer realm="lgsp-hub"',
    body: expect.objectContaining({ type: 'https://lgsp-hub.dev/problems/bad-signature', detail: expect.stringMatching(detail) }),
  });

  it('refuses unsigned, wrongly signed, altered and stale requests with 401 bad-signature', async () => {
    const body = bytes(documentSent({ source: `urn:lgsp:agency:${SIGNED.agency}` }));
    expect(await send('/v1/messages', body, {})).toMatchObject(badSignature(/no webhook-id, webhook-timestamp, webhook-signature header/));
    expect(await send('/v1/messages', body, signed(body, { token: bearerToken }))).toMatchObject(badSignature(/No v1 signature/));
    const altered = bytes(documentSent({ source: `urn:lgsp:agency:${SIGNED.agency}` }));
    expect(await send('/v1/messages', altered, signed(body))).toMatchObject(badSignature(/No v1 signature/));
    expect(await send('/v1/messages', body, signed(body, { now: Date.now() - 6 * 60_000 }))).toMatchObject(badSignature(/s behind this clock/));
    // Checked on the bytes, before anything parses them: a broken body with no signature is still a signature problem.
    expect(await send('/v1/messages', Buffer.from('{not json'), {})).toMatchObject({
      status: 401,
      body: { type: 'https://lgsp-hub.dev/problems/bad-signature' },
    });
  });

  it('accepts a signed request; the same request replayed is refused, a retry with a new webhook-id is the first answer again', async () => {
    const body = bytes(documentSent({ source: `urn:lgsp:agency:${SIGNED.agency}` }));
    const headers = signed(body);
    const first = await send('/v1/messages', body, headers);
    expect(first.status).toBe(202);
    expect(await send('/v1/messages', body, headers)).toMatchObject(badSignature(/verified before/));
    const retry = await send('/v1/messages', body, signed(body));
    expect(retry).toMatchObject({ status: 202, body: { accepted: first.body.accepted } });

    // A GET is signed over the empty body, on a `caller` route too.
    const trace = first.body.accepted![0]!.trace;
    expect(await send(trace, undefined, {})).toMatchObject(badSignature(/not signed/));
    await waitFor('the trace, asked with signed GETs', async () => (await send(trace, undefined, signed(Buffer.alloc(0)))).status === 200);
  });

  it("the connector's inbound route is signed the same way", async () => {
    const body = bytes(documentSent({ source: `urn:lgsp:agency:${SIGNED.agency}` }));
    expect(await send(`/v1/connectors/${SIGNED.id}/inbound`, body, {})).toMatchObject(badSignature(/not signed/));
    expect((await send(`/v1/connectors/${SIGNED.id}/inbound`, body, signed(body))).status).toBe(202);
  });

  it('a wrong token is still unauthenticated, and a bearer connector needs no signature', async () => {
    const body = bytes(documentSent({ source: `urn:lgsp:agency:${SIGNED.agency}` }));
    expect(await send('/v1/messages', body, signed(body), `${SIGNED.id}.wrong`)).toMatchObject({
      status: 401,
      body: { type: 'https://lgsp-hub.dev/problems/unauthenticated' },
    });
    expect((await send('/v1/messages', body, {}, bearerToken)).status).toBe(202);
  });
});
