/**
 * Runs a poller for every registered connector whose kind pulls (the national document axis),
 * and restarts it when its registration changes. What a poller fetches is accepted exactly like
 * `POST /v1/messages`; the poller acknowledges a package to its system only after that.
 * A decoded package the contract refuses is kept as a dead letter (stage `validate`) and counts
 * as taken: the hub holds it, an operator decides.
 */
import type { Poller, PollSink } from '../../connectors/kit/adapter.ts';
import { openPoller } from '../../connectors/kit/kind-context.ts';
import type { CloudEvent } from '../contract/cloud-event.ts';
import { HubError } from '../contract/problems.ts';
import type { DeadLetterWriter } from '../delivery/dead-letters.ts';
import type { Logger } from '../ops/logger.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { ConnectorEntry, RegistryStore } from '../registry/registry-store.ts';
import { senderOf, type MessageIntake } from './message-intake.ts';

export class PollSupervisor {
  private readonly running = new Map<string, { entry: ConnectorEntry; poller: Poller }>();
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly registry: RegistryStore;
  private readonly kinds: ConnectorKinds;
  private readonly intake: MessageIntake;
  private readonly deadLetters: DeadLetterWriter;
  private readonly logger: Logger;

  constructor(registry: RegistryStore, kinds: ConnectorKinds, intake: MessageIntake, deadLetters: DeadLetterWriter, logger: Logger) {
    this.registry = registry;
    this.kinds = kinds;
    this.intake = intake;
    this.deadLetters = deadLetters;
    this.logger = logger;
  }

  start(): void {
    for (const entry of this.registry.connectors()) this.enqueue(entry.manifest.id);
    this.unsubscribe = this.registry.onChange((change) => {
      if (change.kind === 'connector') this.enqueue(change.id);
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.chain;
    await Promise.all([...this.running.values()].map(({ poller }) => poller.stop()));
    this.running.clear();
  }

  /** Changes are applied one at a time, in order, so a quick update-then-delete cannot race. */
  private enqueue(id: string): void {
    this.chain = this.chain.then(() => this.sync(id)).catch((err: unknown) => this.logger.error({ err, connector: id }, 'could not (re)start the poller'));
  }

  private async sync(id: string): Promise<void> {
    const entry = this.registry.connector(id);
    const current = this.running.get(id);
    if (current && current.entry === entry) return;
    if (current) {
      await current.poller.stop();
      this.running.delete(id);
    }
    const adapter = entry && this.kinds.get(entry.manifest.kind);
    if (!entry || !adapter?.createPoller) return;
    const hub = { signingKey: entry.credential.signingKey, outbound: this.kinds.outbound, logger: this.logger.child({ connector: id }) };
    const poller = openPoller(adapter, entry.manifest, hub, this.sink(entry, adapter.relay ?? false));
    if (!poller) return;
    poller.start();
    this.running.set(id, { entry, poller });
    this.logger.info({ connector: id, kind: entry.manifest.kind }, 'poller started');
  }

  private sink({ manifest }: ConnectorEntry, relay: boolean): PollSink {
    const sender = senderOf(manifest, relay);
    const deadLetter = (stage: 'decode' | 'validate', reason: string, original: Buffer | string) =>
      this.deadLetters.write({ stage, connector: manifest.id, reason, key: manifest.agency, original });
    return {
      accept: async (events: readonly CloudEvent[]) => {
        try {
          await this.intake.accept(sender, events, events.length > 1);
        } catch (err) {
          if (!(err instanceof HubError) || err.retriable) throw err;
          const details = err.extra.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
          await deadLetter('validate', `${err.message}${details ? ` (${details})` : ''}`, JSON.stringify(events));
        }
      },
      reject: (reason: string, original: Buffer) => deadLetter('decode', reason, original),
      error: (err: Error) => this.logger.warn({ err, connector: manifest.id }, 'poll failed; trying again next round'),
    };
  }
}
