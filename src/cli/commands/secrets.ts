/**
 * Secrets key rotation (admins): `lgsp secrets reencrypt` seals every secret of the registry again
 * with the hub's current LGSP_SECRETS_KEY, the step between restarting every instance with the new
 * key (the old one in LGSP_SECRETS_OLD_KEYS) and dropping the old key (docs/secrets.md).
 */
import { json, plural } from '../output.ts';
import { operator, positionals, type Command } from './command.ts';

export const secretsReencrypt: Command = {
  words: ['secrets', 'reencrypt'],
  usage: '',
  summary: "seal every registry secret with the hub's current secrets key (after a key rotation; role admin)",
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ reencrypted: number; keyId: string }>({
      method: 'POST',
      path: '/v1/secrets:reencrypt',
      credential: operator(ctx.io),
      hints: { forbidden: 'use the token of an operator with role admin.' },
    });
    ctx.io.out(
      ctx.json
        ? json(answer)
        : `re-encrypted ${plural(answer.reencrypted, 'registry record')} (connectors and the hub's signing keys): every secret is now sealed with key ${answer.keyId}.\n` +
            'once every hub instance runs with this key, remove the old key from LGSP_SECRETS_OLD_KEYS and restart them.',
    );
  },
};
