// ESLint for the hub: typescript-eslint's recommended rules, plus the kit rule that connector kinds
// and the delivery stage reach agency systems only through the kit transport (one place for
// deadlines, redirects, size caps, TLS and retry classification).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const HTTP_CLIENTS = ['axios', 'undici', 'node-fetch', 'got', 'superagent', 'node:http', 'node:https', 'http', 'https', 'node:http2'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', '.lgsp/**', 'src/console/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(only|skip|todo)$/][callee.object.name=/^(it|test|describe)$/]',
          message: 'A skipped or focused test proves nothing.',
        },
      ],
    },
  },
  {
    // Agency systems are reached through connectors/kit/transport.ts only. Simulators, tests and
    // the transport itself are servers or the one client, so they are exempt.
    files: ['connectors/**/*.ts', 'src/delivery/**/*.ts'],
    ignores: ['connectors/kit/transport.ts', 'connectors/**/simulator.ts', 'connectors/kit/faults.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: HTTP_CLIENTS.map((name) => ({ name, message: 'Reach agency systems through the kit transport (connectors/kit/transport.ts).' })),
        },
      ],
    },
  },
);
