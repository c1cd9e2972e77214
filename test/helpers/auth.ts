/**
 * Authentication for an app a test assembles itself (`createApp` without a hub): fixed tokens
 * instead of the registry. `TEST_ADMIN_TOKEN` is the admin `admin` unless other operators are
 * given; `connectors` maps tokens to connectors; certificates are not used.
 */
import type { AuthOptions } from '../../src/http/auth.ts';
import type { Operator } from '../../src/http/route.ts';
import type { ConnectorIdentity } from '../../src/registry/connector-credentials.ts';
import { TEST_ADMIN_TOKEN } from './hub.ts';

export function testAuth(
  connectors: ReadonlyMap<string, ConnectorIdentity> = new Map(),
  operators: ReadonlyMap<string, Operator> = new Map([[TEST_ADMIN_TOKEN, { operator: true, name: 'admin', role: 'admin' }]]),
): AuthOptions {
  return {
    operators: () => ({ verify: (token) => operators.get(token) }),
    credentials: () => ({ verify: (token) => connectors.get(token), connectorOfCertificate: () => undefined, requiresCertificate: () => false }),
  };
}
