/**
 * Secrets key rotation (admins): `POST /v1/secrets:reencrypt` seals again, with this hub's
 * current key (`LGSP_SECRETS_KEY`), every connector record that holds a secret in clear or sealed
 * with an old key, and the hub's signing keys sealed with an old key, so the old key can then be dropped from `LGSP_SECRETS_OLD_KEYS`. The procedure
 * is in docs/secrets.md.
 */
import { json, named, route, type Route } from '../http/route.ts';
import type { HubKeys } from '../registry/hub-keys.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { SecretBox } from './secret-box.ts';

const REENCRYPTED = named('Reencrypted', {
  type: 'object',
  required: ['reencrypted', 'keyId'],
  properties: {
    reencrypted: { type: 'integer', minimum: 0, description: 'How many records were written again (0: every record was sealed with the current key already).' },
    keyId: { type: 'string', pattern: '^[0-9a-f]{16}$', description: "The current key's id (the first 8 bytes of its SHA-256), which every record now names." },
  },
});

export function secretsRoutes(registry: RegistryStore, box: SecretBox, hubKeys: HubKeys): Route[] {
  return [
    route({
      method: 'post',
      path: '/v1/secrets:reencrypt',
      auth: 'operator',
      role: 'admin',
      tag: 'secrets',
      summary: 'Seal every secret of the registry with the current secrets key',
      description:
        'Run once every instance runs with the new LGSP_SECRETS_KEY and the previous key in LGSP_SECRETS_OLD_KEYS; then the previous key can be dropped. Records sealed with the current key already are left as they are, so running it again answers 0.',
      responses: { 200: json(REENCRYPTED, 'Done: every record is sealed with the current key.') },
      handle: async () => ({ status: 200, json: { reencrypted: (await registry.reencryptConnectors()) + (await hubKeys.reencrypt()), keyId: box.keyId } }),
    }),
  ];
}
