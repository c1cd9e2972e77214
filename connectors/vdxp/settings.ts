/**
 * The `settings` of a `vdxp` connector manifest, declared once: where the axis (or the SDK bridge
 * in front of it) listens, the SDK credentials, and how often the mailbox is polled. The TypeBox
 * spec is the JSON Schema the registry validates with and the type the poller and sender read
 * (`ctx.settings`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { AGENCY_CODE_PATTERN } from '../../src/registry/agency-code.ts';
import { httpUrl } from '../kit/transport-settings.ts';

export const DEFAULT_POLL_INTERVAL_MS = 2000;

export const VDXP_SETTINGS = Type.Object(
  {
    baseUrl: httpUrl('Base URL of the axis HTTP API (connectors/vdxp/client.ts).'),
    systemId: Type.String({ minLength: 1, description: 'The SDK system id of this LGSP.' }),
    secret: Type.String({ minLength: 1, description: 'The SDK secret. Secret: shown as "(hidden)".' }),
    pollIntervalMs: Type.Optional(Type.Integer({ minimum: 100, default: DEFAULT_POLL_INTERVAL_MS, description: 'Pause between mailbox polls.' })),
    refuseInvalidSignatures: Type.Optional(
      Type.Boolean({
        description:
          'Refuse a package whose XML-DSig signature does not verify (polled: a dead letter, acknowledged fail; pushed: 422). Absent or false: accept it and record "invalid" in data.edxml.signature.',
      }),
    ),
    relayFor: Type.Optional(
      Type.Array(Type.String({ pattern: AGENCY_CODE_PATTERN.source }), {
        uniqueItems: true,
        description:
          "Agencies of the hub's directory whose documents this axis may carry (e.g. the Government Office, 000.00.00.G22). The axis relays for agencies outside the directory; one inside it sends through its own connector, and a package in its name is refused (a dead letter) unless listed here.",
      }),
    ),
  },
  { additionalProperties: false },
);

export type VdxpSettings = Static<typeof VDXP_SETTINGS>;
