/**
 * The `settings` of a `dvcqg` connector manifest, declared once: the TypeBox spec is the JSON
 * Schema the registry validates with and the TypeScript type the client reads (`ctx.settings`).
 * The portal's URL and credentials live here; `manifest.endpoint` is not used.
 */
import { Type, type Static } from '@sinclair/typebox';
import { httpUrl } from '../kit/transport-settings.ts';

const text = (description: string, maxLength = 200) => Type.String({ minLength: 1, maxLength, description });
const path = (description: string) => Type.String({ pattern: '^/', maxLength: 200, description });

export const DVCQG_SETTINGS = Type.Object(
  {
    adapterUrl: httpUrl("The portal adapter's base URL (ADAPTER_URL of the integration guide)."),
    authPath: Type.Optional(path('Login path under adapterUrl; default /auth.')),
    integrationPath: Type.Optional(path('Integration path under adapterUrl; default /integration.')),
    username: text('Portal account the hub logs in with.'),
    password: text('Password of that account. Secret: shown as "(hidden)".'),
    dstcode: text('Sent as the dstcode header at login.', 50),
    madonvi: text('The province/unit code the portal knows the sender by, e.g. 000.00.00.H49.', 50),
  },
  { additionalProperties: false },
);

export type DvcqgSettings = Static<typeof DVCQG_SETTINGS>;
