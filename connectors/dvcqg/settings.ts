/**
 * The `settings` of a `dvcqg` connector manifest, declared once: the TypeBox spec is the JSON
 * Schema the registry validates with and the TypeScript type the client reads (`ctx.settings`).
 * The portal's URL and credentials live here; `manifest.endpoint` is not used. Defaults are applied
 * by the kit (`parseSettings`), so the client reads every optional setting below as documented.
 */
import { Type, type Static } from '@sinclair/typebox';
import { httpUrl } from '../kit/transport-settings.ts';

const text = (description: string, maxLength = 200) => Type.String({ minLength: 1, maxLength, description });
const path = (description: string) => Type.String({ pattern: '^/', maxLength: 200, description });

export const DVCQG_SETTINGS = Type.Object(
  {
    adapterUrl: httpUrl("The portal adapter's base URL (ADAPTER_URL of the integration guide)."),
    authPath: Type.Optional(path('Login path under adapterUrl; default /auth.')),
    integrationPath: Type.Optional(path('Integration path under adapterUrl (DongBoHoSoMC, CapNhatTienDoHoSoMC, TraCuuHoSo, LayThuTuc); default /integration.')),
    username: text('Portal account the hub logs in with.'),
    password: text('Password of that account. Secret: shown as "(hidden)".'),
    dstcode: text('Sent as the dstcode header on every request (login and calls).', 50),
    madonvi: text('The province/unit code the portal knows the sender by, e.g. 000.00.00.H49.', 50),
    statusTable: Type.Optional(
      Type.Record(Type.String({ pattern: '^([1-9]|10)$' }), Type.String({ pattern: '^[0-9]{1,4}$', description: 'The portal status code sent for it.' }), {
        additionalProperties: false,
        description:
          'The portal status code (TrangThaiHoSo, progress TrangThai) sent for each canonical statusCode 1..10, as this deployment\'s portal table says. Entries given replace those of the default table (docs/dvcqg.md: 1→"1" ... 10→"10"); inbound codes are read back through the same table.',
      }),
    ),
    isUpdatingAs: Type.Optional(
      Type.Union([Type.Literal('string'), Type.Literal('boolean')], {
        default: 'string',
        description: 'How isUpdating is written: "True"/"False" (string, default, as public clients send it) or true/false.',
      }),
    ),
    knownDossierTtlSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_592_000,
        default: 86_400,
        description:
          'How long a dossier the portal is known to hold (TraCuuHoSo found it, or a sync succeeded) is sent with isUpdating "True" without asking again; 0 asks before every sync. Unknown dossiers are never cached.',
      }),
    ),
    procedureTtlSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_592_000,
        default: 86_400,
        description: 'How long a LayThuTuc answer (procedure and field names by MaTTHC) is kept; 0 asks every time.',
      }),
    ),
  },
  { additionalProperties: false },
);

export type DvcqgSettings = Static<typeof DVCQG_SETTINGS>;
