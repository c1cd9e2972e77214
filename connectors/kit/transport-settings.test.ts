/**
 * The transport's settings (TLS), declared once and added by the kit to every kind's spec: they
 * compile in the hub's one strict ajv instance, the client certificate and key go together, the
 * key is a secret setting, and the kind context parses them the way registration validates them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaSet, type ConnectorManifest } from '../../src/contract/schema-set.ts';
import { dvcqgAdapter } from '../dvcqg/adapter.ts';
import { edxmlAdapter } from '../edxml/adapter.ts';
import { vdxpAdapter } from '../vdxp/adapter.ts';
import { webhookAdapter } from '../webhook/adapter.ts';
import { AdapterError, type ConnectorAdapter } from './adapter.ts';
import { kindContext, openPoller, openSender } from './kind-context.ts';
import { parseSettings, withTransportSettings } from './transport-settings.ts';

const PEM = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
const TLS = { tlsCa: PEM('CERTIFICATE'), tlsClientCert: PEM('CERTIFICATE'), tlsClientKey: PEM('PRIVATE KEY') };
const OWN: Record<string, Record<string, unknown>> = {
  webhook: {},
  edxml: {},
  dvcqg: { adapterUrl: 'https://dichvucong.gov.vn/adapter', username: 'lgsp', password: 'p', dstcode: 'H49', madonvi: '000.00.00.H49' },
  vdxp: { baseUrl: 'https://vdxp.gov.vn/api', systemId: 'lgsp-h49', secret: 's' },
};
const KINDS: readonly ConnectorAdapter[] = [webhookAdapter, edxmlAdapter, dvcqgAdapter, vdxpAdapter];

const manifest = (kind: string, settings: Record<string, unknown>): ConnectorManifest =>
  ({
    id: `qn-${kind}`,
    agency: '000.00.15.H49',
    kind,
    endpoint: 'https://127.0.0.1:1/in',
    subscriptions: [],
    delivery: { timeoutMs: 1000 },
    settings,
  }) as unknown as ConnectorManifest;

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

describe.each(KINDS)("the $kind settings spec with the transport's", (adapter) => {
  const registered = withTransportSettings(adapter);
  const own = OWN[adapter.kind]!;

  it("compiles in the hub's strict ajv and accepts the TLS settings, cert and key together only", () => {
    const check = schemas.settingsValidator(registered.settingsSchema);
    expect(check(own)).toEqual([]);
    expect(check({ ...own, ...TLS })).toEqual([]);
    expect(check({ ...own, tlsCa: TLS.tlsCa })).toEqual([]);
    expect(check({ ...own, tlsClientCert: TLS.tlsClientCert })).not.toEqual([]);
    expect(check({ ...own, tlsClientKey: TLS.tlsClientKey })).not.toEqual([]);
    expect(check({ ...own, tlsCa: 'not a PEM' })).not.toEqual([]);
    expect(check({ ...own, signingKey: 'x' })).not.toEqual([]); // the hub's key never sits in settings
  });

  it('parses the same way in the kind context, and hides the client key', () => {
    expect(parseSettings(registered.settingsSchema, manifest(adapter.kind, { ...own, ...TLS }))).toMatchObject({ ...own, ...TLS });
    expect(() => parseSettings(registered.settingsSchema, manifest(adapter.kind, { ...own, tlsClientKey: TLS.tlsClientKey }))).toThrow(/go together/);
    expect(() => parseSettings(registered.settingsSchema, manifest(adapter.kind, { ...own, signingKey: 'x' }))).toThrow(AdapterError);
    expect(registered.secretSettings).toEqual([...(adapter.secretSettings ?? []), 'tlsClientKey']);
    expect(withTransportSettings(registered)).toBe(registered);
  });
});

describe('the kind context', () => {
  it("applies the spec's defaults and types the settings", async () => {
    const ctx = kindContext(vdxpAdapter, manifest('vdxp', OWN.vdxp!), { signingKey: 'k' });
    try {
      expect(ctx.settings).toEqual({ ...OWN.vdxp, pollIntervalMs: 2000 });
      expect(ctx.signingKey).toBe('k');
    } finally {
      await ctx.transport.close();
    }
  });

  it('refuses settings that do not match, naming the field (adapter-settings-invalid)', () => {
    const bad = manifest('dvcqg', { ...OWN.dvcqg, adapterUrl: 'ftp://x' });
    expect(() => openSender(dvcqgAdapter, bad, { signingKey: 'k' })).toThrow(
      expect.objectContaining({ code: 'adapter-settings-invalid', path: '/settings/adapterUrl' }),
    );
  });

  it('opens only what a kind does', () => {
    const sink = { accept: async () => {}, reject: async () => {}, error: () => {} };
    expect(openPoller(webhookAdapter, manifest('webhook', {}), { signingKey: 'k' }, sink)).toBeUndefined();
    expect(openSender({ ...webhookAdapter, createSender: undefined } as ConnectorAdapter, manifest('webhook', {}), { signingKey: 'k' })).toBeUndefined();
  });
});
