/**
 * What a valid manifest will not receive, said when it is registered, replaced or validated
 * (SPEC §1 "Receiving": a connector that accepts nothing addressed is allowed, but registration
 * says so). Human sentences for the `warnings` of the answer; nothing is refused.
 */
import type { ConnectorManifest } from '../contract/schema-set.ts';
import type { ConnectorKinds } from './connector-kinds.ts';

/** The warnings of `manifest` (checked already, so its kind is known); empty when it receives what is addressed to its agency. */
export function receivingWarnings(manifest: ConnectorManifest, kinds: ConnectorKinds): string[] {
  if (kinds.acceptedTypes(manifest).length > 0) return [];
  return [`${manifest.id} accepts nothing addressed to ${manifest.agency}: ${whyNothing(manifest, kinds)}.`];
}

function whyNothing(manifest: ConnectorManifest, kinds: ConnectorKinds): string {
  const adapter = kinds.get(manifest.kind);
  if (!adapter?.createSender) return `${manifest.kind} connectors only send`;
  if (adapter.relay) return `${manifest.kind} connectors relay other agencies' messages, so it receives only what its subscriptions select`;
  if (!kinds.receives(manifest)) return 'it has no endpoint; add "endpoint" for it to receive what is sent to its agency';
  return 'its "accepts" is empty';
}
