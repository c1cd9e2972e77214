/**
 * How the hub (and the conformance command) opens a connector's sender or poller: it parses the
 * settings against the kind's spec (with the transport's, `transport-settings.ts`), makes the
 * connector's transport (its TLS settings, the signing key), and hands the kind a `KindContext`.
 * The sender or poller returned owns that transport: `close()` / `stop()` releases it.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import type { ConnectorAdapter, KindContext, KindLogger, Poller, PollSink, Sender } from './adapter.ts';
import type { OutboundPolicy } from './outbound-policy.ts';
import { createTransport } from './transport.ts';
import { parseSettings, tlsOf, withTransportSettings, type TransportSettings } from './transport-settings.ts';

/** What the hub adds to a manifest: secrets it keeps outside `settings`, and its logger. */
export interface HubSide {
  /** `signingKeyOf(token)` of the connector (the registry's `credential.signingKey`). */
  readonly signingKey: string;
  readonly logger?: KindLogger;
  /** The addresses its transport may call (LGSP_OUTBOUND_ALLOW applied); default: no exceptions. */
  readonly outbound?: OutboundPolicy;
  /** The most bytes of an answer its transport reads; default the transport's (1 MiB). */
  readonly maxResponseBytes?: number;
}

/** A logger that drops every line (tests, the conformance command). */
export const SILENT_LOGGER: KindLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The connector's sender, or undefined for a kind that does not deliver. Throws `AdapterError`
 * (`adapter-settings-invalid`) for settings that do not match the spec, or the kind's own error.
 */
export function openSender(adapter: ConnectorAdapter, manifest: ConnectorManifest, hub: HubSide): Sender | undefined {
  if (!adapter.createSender) return undefined;
  const ctx = kindContext(adapter, manifest, hub);
  let sender: Sender;
  try {
    sender = adapter.createSender(manifest, ctx);
  } catch (err) {
    void ctx.transport.close();
    throw err;
  }
  return {
    deliver: (delivery) => sender.deliver(delivery),
    async close() {
      await sender.close();
      await ctx.transport.close();
    },
  };
}

/** The connector's poller, or undefined for a kind that does not poll. Throws as `openSender`. */
export function openPoller(adapter: ConnectorAdapter, manifest: ConnectorManifest, hub: HubSide, sink: PollSink): Poller | undefined {
  if (!adapter.createPoller) return undefined;
  const ctx = kindContext(adapter, manifest, hub);
  let poller: Poller;
  try {
    poller = adapter.createPoller(manifest, ctx, sink);
  } catch (err) {
    void ctx.transport.close();
    throw err;
  }
  return {
    start: () => poller.start(),
    async stop() {
      await poller.stop();
      await ctx.transport.close();
    },
  };
}

/**
 * The context of one connector of `adapter`'s kind; the caller owns its transport (close it).
 * `openSender` / `openPoller` are the usual way; tests that drive a kind's parts use this.
 */
export function kindContext<S extends TSchema>(adapter: ConnectorAdapter<S>, manifest: ConnectorManifest, hub: HubSide): KindContext<Static<S>> {
  const settings = parseSettings(withTransportSettings(adapter).settingsSchema, manifest);
  const transport = createTransport({
    tls: tlsOf(settings as TransportSettings),
    ...(hub.outbound ? { outbound: hub.outbound } : {}),
    ...(hub.maxResponseBytes ? { maxResponseBytes: hub.maxResponseBytes } : {}),
  });
  return { settings: settings as Static<S>, signingKey: hub.signingKey, transport, logger: hub.logger ?? SILENT_LOGGER };
}
