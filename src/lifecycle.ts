/**
 * The hub's components in start order, stopped in reverse, views last (below). `open` registers a
 * component's stop *before* starting it, so a start that fails halfway (a Kafka client connected,
 * then its load timing out) still closes what it opened; `startHub` calls `stop` when any later
 * step throws. Stop errors are logged and do not keep the other components open.
 *
 * Views (`openView`: in-memory copies of a topic, each following it with its own Kafka clients)
 * stop after every other component, all at once. A view needs nothing else (at most another view,
 * in memory), the others read views until they stop, and stopping a view waits out its consumer's
 * fetch held at the broker: one view after another, those waits would add up.
 */
import type { Logger } from './ops/logger.ts';

interface Opened {
  readonly name: string;
  readonly stop: () => Promise<unknown> | void;
  readonly view: boolean;
}

export class Lifecycle {
  private readonly opened: Opened[] = [];
  private stopping: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /**
   * Registers `stop` for `name`, then runs `start` (if any) and returns `component`. If `start`
   * throws, the error propagates and `stop` still runs when the lifecycle stops.
   */
  open<T>(name: string, component: T, stop: (component: T) => Promise<unknown> | void, start?: (component: T) => Promise<unknown> | void): Promise<T> {
    return this.register(name, component, stop, start, false);
  }

  /** `open` for a view: stopped after every other component, together with the other views. */
  openView<T>(name: string, component: T, stop: (component: T) => Promise<unknown> | void, start?: (component: T) => Promise<unknown> | void): Promise<T> {
    return this.register(name, component, stop, start, true);
  }

  /** Stops every opened component but the views, last opened first, then the views together. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const opened of this.opened.filter((o) => !o.view).reverse()) await this.stopOne(opened);
      await Promise.all(this.opened.filter((o) => o.view).map((o) => this.stopOne(o)));
    })();
    return this.stopping;
  }

  /** The names of the components opened so far, in start order (for tests and diagnostics). */
  get names(): readonly string[] {
    return this.opened.map((o) => o.name);
  }

  private async register<T>(
    name: string,
    component: T,
    stop: (component: T) => Promise<unknown> | void,
    start: ((component: T) => Promise<unknown> | void) | undefined,
    view: boolean,
  ): Promise<T> {
    if (this.stopping) throw new Error(`cannot open ${name}: the hub is stopping`);
    this.opened.push({ name, stop: () => stop(component), view });
    await start?.(component);
    return component;
  }

  private async stopOne({ name, stop }: Opened): Promise<void> {
    try {
      await stop();
    } catch (err) {
      this.logger.warn({ err, component: name }, 'component failed to stop cleanly');
    }
  }
}

/**
 * Runs `build` with a fresh lifecycle; if it throws, stops what it opened and rethrows. The
 * composition root's one guard against half-started hubs.
 */
export async function withLifecycle<T>(logger: Logger, build: (lifecycle: Lifecycle) => Promise<T>): Promise<T> {
  const lifecycle = new Lifecycle(logger);
  try {
    return await build(lifecycle);
  } catch (err) {
    await lifecycle.stop();
    throw err;
  }
}
