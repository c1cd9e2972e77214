/**
 * The `ndjson` kind, built step by step in docs/connectors.md: a records office's log system that
 * takes one JSON line per message, with its own API key. It is the guide's example, registered by
 * its test (`guide-example.test.ts`), not by the hub.
 */
import { Type } from '@sinclair/typebox';
import type { ConnectorAdapter } from '../adapter.ts';
import { pushSender } from '../push-sender.ts';
import { decodeLines, encodeLine, NDJSON_CONTENT_TYPE } from './codec.ts';

/** `manifest.settings` of `ndjson` connectors: checked at registration, typed as `ctx.settings`. */
export const NDJSON_SETTINGS = Type.Object(
  {
    apiKey: Type.String({ minLength: 8, maxLength: 200, description: 'The key the log system gave the hub, sent as X-Api-Key.' }),
  },
  { additionalProperties: false },
);

export const ndjsonAdapter: ConnectorAdapter<typeof NDJSON_SETTINGS> = {
  kind: 'ndjson',
  summary: 'A records office log: one JSON line per message, both ways.',
  endpointRequired: true,
  settingsSchema: NDJSON_SETTINGS,
  secretSettings: ['apiKey'],

  // Facts: what the shared code reads about this kind.
  naturalTypes: ['vn.gov.dossier.*'],
  simulator: async ({ signingKey, schemas }) => {
    const { startLogSimulator } = await import('./simulator.ts');
    const sim = await startLogSimulator({ apiKey: 'guide-api-key', signingKey, schemas });
    return { endpoint: sim.endpoint, settings: { apiKey: 'guide-api-key' }, misbehave: (modes) => sim.misbehave(modes), close: () => sim.close() };
  },
  conformance: {},

  decode: (request, connector) => decodeLines(request.body, connector.agency),

  createSender(manifest, ctx) {
    return pushSender(manifest, ctx, ({ event }) => ({
      headers: { 'content-type': NDJSON_CONTENT_TYPE, 'x-api-key': ctx.settings.apiKey },
      body: encodeLine(event),
    }));
  },
};
