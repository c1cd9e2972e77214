/**
 * How far V8 lets the old generation grow before its next major GC. V8 derives the factor from
 * how fast that generation grows against how fast it is collected; under steady load the hub's
 * grows slowly (about 1 KB a data-sharing call: the call-log view's record), so V8 picks its
 * minimum, 1.1. A major GC then runs each time the heap grows by a tenth, every 1–2 s at 500
 * calls/s, each ending in an 8–19 ms pause that every call in flight waits out. With the factor
 * fixed at 2, the services bench saw 3 major GCs after its warm-up instead of 7–12, 22–34 ms of
 * their pauses instead of 95–144, and a lower p99 in both paired runs (docs/performance.md,
 * "Twelfth session"), for at most one more heap's worth of memory (about 50 MB).
 *
 * V8 reads the flag at each collection, so setting it as the process starts is enough. A
 * `--heap-growing-percent` given on Node's command line is left as it is.
 */
import { setFlagsFromString } from 'node:v8';

const HEAP_GROWING_PERCENT = 100;

/** Sets V8's heap growing factor for this process (once, at start), unless the command line set one. */
export function fixHeapGrowing(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
