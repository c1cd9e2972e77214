/**
 * `/readyz`: ready only when Kafka answers a metadata request (and, once they exist, when the
 * other named checks pass). Answers are cached for a second so a probe storm never reaches Kafka.
 * What the hub's background work is doing (delivery joining its consumer group) is reported
 * beside the checks but does not make the hub unready: messages are taken, routed and kept by
 * Kafka while delivery waits.
 */
import type { Admin } from 'kafkajs';

export type Check = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
  /** Background work by name: "consuming", or what it waits for. */
  work: Record<string, string>;
}

const CACHE_MS = 1_000;
const CHECK_TIMEOUT_MS = 2_000;

export class Readiness {
  private readonly checks = new Map<string, Check>();
  private readonly work = new Map<string, () => string>();
  private cached: { at: number; report: Promise<ReadinessReport> } | undefined;

  /** Registers a named check; returns the function that removes it. */
  add(name: string, check: Check): () => void {
    this.checks.set(name, check);
    return () => this.checks.delete(name);
  }

  /** Reports what the background work `name` is doing, without gating readiness. */
  addWork(name: string, status: () => string): void {
    this.work.set(name, status);
  }

  report(): Promise<ReadinessReport> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      this.cached = { at: Date.now(), report: this.run() };
    }
    return this.cached.report;
  }

  private async run(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(
        async ([name, check]) =>
          [
            name,
            await withTimeout(check()).then(
              () => 'ok',
              (e: Error) => e.message,
            ),
          ] as const,
      ),
    );
    const work = Object.fromEntries([...this.work].map(([name, status]) => [name, status()]));
    return { ready: entries.every(([, r]) => r === 'ok'), checks: Object.fromEntries(entries), work };
  }
}

export function kafkaCheck(admin: Admin): Check {
  return async () => {
    await admin.describeCluster();
  };
}

function withTimeout(p: Promise<void>): Promise<void> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    p.then(res, rej).finally(() => clearTimeout(timer));
  });
}
