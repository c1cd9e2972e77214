/**
 * Simulated agency systems registered with a hub as `webhook` connectors, for delivery tests.
 * Short retry tiers keep retry tests fast: use `FAST_RETRIES` in the hub's config and manifests.
 */
import { signingKeyOf } from '../../connectors/kit/signature.ts';
import { startWebhookSimulator, type WebhookSimulator } from '../../connectors/webhook/simulator.ts';
import { freePort } from '../../src/kafka/local-broker.ts';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { registerConnector, startTestHub, testConfig } from './hub.ts';
import { seedSenders } from './messages.ts';

/** LGSP_RETRY_TIERS for tests, and the matching connector schedule. */
export const FAST_RETRIES = { tiers: '300ms,1s,2s', schedule: ['300ms', '1s', '2s'] } as const;

export interface AgencySystem {
  readonly id: string;
  readonly agency: string;
  readonly token: string;
  readonly sim: WebhookSimulator;
}

export interface AgencySystemOptions {
  subscriptions?: { type: string; filter?: Record<string, string> }[];
  delivery?: Record<string, unknown>;
  /** Manifest `roles`, e.g. `['one-stop']` for a one-stop-shop system (sending rights). */
  roles?: string[];
}

/** Registers `id` for `agency` with an endpoint on a simulator, and starts that simulator (the caller closes it). */
export async function addAgencySystem(hubUrl: string, id: string, agency: string, options: AgencySystemOptions = {}): Promise<AgencySystem> {
  const port = await freePort();
  const token = await registerConnector(hubUrl, {
    id,
    agency,
    kind: 'webhook',
    endpoint: `http://127.0.0.1:${port}/events`,
    subscriptions: options.subscriptions ?? [{ type: 'vn.gov.document.sent' }, { type: 'vn.gov.document.status' }],
    ...(options.roles ? { roles: options.roles } : {}),
    delivery: {
      retrySchedule: [...FAST_RETRIES.schedule],
      timeoutMs: 2_000,
      breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 1_000 },
      ...options.delivery,
    },
  });
  const sim = await startWebhookSimulator({ signingKey: signingKeyOf(token), port });
  return { id, agency, token, sim };
}

/** The ids of the events a simulated system stored, in the order it stored them. */
export function receivedIds(system: AgencySystem): string[] {
  return system.sim.received().map((r) => r.event.id);
}

/** Expects `system` to have stored each subject's messages in the order they were sent. */
export function expectOrderPerSubject(system: AgencySystem, sent: readonly Readonly<Record<string, unknown>>[]): void {
  const received = receivedIds(system);
  for (const subject of new Set(sent.map((m) => m.subject))) {
    const ids = sent.filter((m) => m.subject === subject).map((m) => m.id as string);
    expect(received.filter((id) => ids.includes(id))).toEqual(ids);
  }
}

export interface DeliveryHub {
  readonly hub: Hub;
  /** Token of the demo sender (Sở Tư pháp, 000.00.15.H49). */
  readonly token: string;
  readonly systems: Readonly<Record<string, AgencySystem>>;
}

/**
 * For a describe block: a hub with fast retry tiers, the demo directory and senders, and one
 * simulated system per entry of `systems` (connector id → agency code); all closed after the block.
 */
export function useDeliveryHub(systems: Readonly<Record<string, string>>): DeliveryHub {
  const state = { systems: {} as Record<string, AgencySystem> } as { hub: Hub; token: string; systems: Record<string, AgencySystem> };
  beforeAll(async () => {
    state.hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    state.token = (await seedSenders(state.hub.url)).sender;
    for (const [id, agency] of Object.entries(systems)) state.systems[id] = await addAgencySystem(state.hub.url, id, agency);
  });
  afterAll(async () => {
    await Promise.all(Object.values(state.systems).map((s) => s.sim.close()));
    await state.hub?.close();
  });
  return state;
}
