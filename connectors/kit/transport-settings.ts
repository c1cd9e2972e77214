/**
 * The settings every connector has because it talks through the kit transport, declared once here
 * and added by the kit to each kind's own spec (`withTransportSettings`), so a kind cannot forget
 * them and never declares them:
 * - `tlsCa`: a PEM CA bundle trusted for this connector's https URLs, instead of the system roots
 *   (a ministry's private CA);
 * - `tlsClientCert` + `tlsClientKey`: the PEM client certificate chain and its key, for systems that
 *   require mutual TLS. The key is a secret setting: the API shows it as "(hidden)".
 *
 * PEM in the settings rather than file paths: a connector is registered through the API and its
 * manifest replicated to every hub instance through the registry topic, so its configuration must
 * be whole in itself (no file to copy to each host), and an API caller must not be able to make the
 * hub read a file of its choosing.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { AdapterError, type ConnectorAdapter } from './adapter.ts';
import type { TransportTls } from './transport.ts';

const pem = (description: string) => Type.String({ pattern: '-----BEGIN [A-Z0-9 ]+-----', maxLength: 262_144, description });

export const TRANSPORT_SETTINGS = Type.Object({
  tlsCa: Type.Optional(pem("PEM CA bundle trusted for this connector's https URLs instead of the system's roots.")),
  tlsClientCert: Type.Optional(pem('PEM client certificate (chain) presented to systems that require mutual TLS; needs tlsClientKey.')),
  tlsClientKey: Type.Optional(pem('PEM private key of tlsClientCert. Secret: shown as "(hidden)".')),
});
export type TransportSettings = Static<typeof TRANSPORT_SETTINGS>;

/** Transport settings that are credentials. */
export const TRANSPORT_SECRET_SETTINGS = ['tlsClientKey'] as const;

/** An absolute http(s) URL setting (a pattern, not `format`, so TypeBox and ajv read it alike). */
export const httpUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s/?#]+[^\\s]*$', maxLength: 2048, description });

/** Settings specs `withTransportSettings` made, so applying it again changes nothing. */
const extended = new WeakSet<object>();

/**
 * `adapter` as the hub registers it: its settings spec extended with the transport's (the kind's
 * own fields and `additionalProperties: false` kept; both of a client certificate and key, or
 * neither) and the transport's secrets added to its own. Idempotent. Throws (a programmer error)
 * when the kind's spec is not an object or declares a transport setting itself.
 */
export function withTransportSettings<A extends ConnectorAdapter>(adapter: A): A {
  if (extended.has(adapter.settingsSchema)) return adapter;
  const own = adapter.settingsSchema as TSchema & Partial<TObject>;
  if (own.type !== 'object' || typeof own.properties !== 'object') throw new Error(`kind ${adapter.kind}: settingsSchema must be a Type.Object`);
  const clash = Object.keys(TRANSPORT_SETTINGS.properties).filter((name) => Object.hasOwn(own.properties as TProperties, name));
  if (clash.length > 0) throw new Error(`kind ${adapter.kind}: settings ${clash.join(', ')} belong to the kit transport`);
  const { type: _type, properties, required: _required, ...options } = own;
  const settingsSchema = Type.Object(
    { ...(properties as TProperties), ...TRANSPORT_SETTINGS.properties },
    { ...options, additionalProperties: false, dependentRequired: { tlsClientCert: ['tlsClientKey'], tlsClientKey: ['tlsClientCert'] } },
  );
  extended.add(settingsSchema);
  return { ...adapter, settingsSchema, secretSettings: [...(adapter.secretSettings ?? []), ...TRANSPORT_SECRET_SETTINGS] };
}

/**
 * `manifest.settings` checked against `schema` with its defaults applied, as the kind's typed
 * settings. Throws `AdapterError` (`adapter-settings-invalid`) naming the first bad field:
 * registration validates settings first, so this means a manifest that skipped it.
 */
export function parseSettings<S extends TSchema>(schema: S, manifest: ConnectorManifest): Static<S> {
  const value = Value.Default(schema, structuredClone(manifest.settings ?? {}));
  const first = Value.Errors(schema, value).First();
  if (first)
    throw new AdapterError(
      'adapter-settings-invalid',
      `connector ${manifest.id}: settings${first.path.replaceAll('/', '.')}: ${first.message}`,
      `/settings${first.path}`,
    );
  const { tlsClientCert, tlsClientKey } = value as TransportSettings;
  if ((tlsClientCert === undefined) !== (tlsClientKey === undefined)) {
    throw new AdapterError('adapter-settings-invalid', `connector ${manifest.id}: settings.tlsClientCert and settings.tlsClientKey go together`, '/settings');
  }
  return value as Static<S>;
}

/** The transport's TLS options from parsed settings. */
export function tlsOf(settings: TransportSettings): TransportTls {
  return {
    ...(settings.tlsCa ? { ca: settings.tlsCa } : {}),
    ...(settings.tlsClientCert ? { cert: settings.tlsClientCert } : {}),
    ...(settings.tlsClientKey ? { key: settings.tlsClientKey } : {}),
  };
}
