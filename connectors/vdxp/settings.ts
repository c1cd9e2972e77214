/**
 * The `settings` of a `vdxp` connector manifest: where the axis (or the SDK bridge in front of it)
 * listens, the SDK credentials, and how often the mailbox is polled. Validated at registration
 * against `VDXP_SETTINGS_SCHEMA`; `readVdxpSettings` reads them for the poller and the sender.
 */
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';

export const DEFAULT_POLL_INTERVAL_MS = 2000;

export const VDXP_SETTINGS_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze({
  type: 'object',
  properties: {
    baseUrl: { type: 'string', format: 'uri', description: 'Base URL of the axis HTTP API (connectors/vdxp/client.ts).' },
    systemId: { type: 'string', minLength: 1, description: 'The SDK system id of this LGSP.' },
    secret: { type: 'string', minLength: 1, description: 'The SDK secret.' },
    pollIntervalMs: { type: 'integer', minimum: 100, default: DEFAULT_POLL_INTERVAL_MS, description: 'Pause between mailbox polls.' },
  },
  required: ['baseUrl', 'systemId', 'secret'],
  additionalProperties: false,
});

export interface VdxpSettings {
  readonly baseUrl: string;
  readonly systemId: string;
  readonly secret: string;
  readonly pollIntervalMs: number;
}

/**
 * The manifest's settings, default applied. Throws `TypeError` naming the field when they do not
 * match the schema: the registry validates them first, so that is a programmer error.
 */
export function readVdxpSettings(manifest: ConnectorManifest): VdxpSettings {
  const s = manifest.settings ?? {};
  const text = (name: string): string => {
    const value = s[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`connector ${manifest.id}: settings.${name} must be a non-empty string`);
    return value;
  };
  const interval = s.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) {
    throw new TypeError(`connector ${manifest.id}: settings.pollIntervalMs must be a positive integer`);
  }
  return { baseUrl: text('baseUrl'), systemId: text('systemId'), secret: text('secret'), pollIntervalMs: interval };
}
