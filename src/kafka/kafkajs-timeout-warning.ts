/**
 * kafkajs 2.2.4 (its last release) sets a negative timeout in its request queue when nothing is
 * throttled (tulios/kafkajs#1751). Node 24 then prints a `TimeoutNegativeWarning` on stderr and
 * waits 1 ms, which is what kafkajs meant. Imported (for its effect, once per process) by the
 * modules that make kafkajs clients, it drops that warning when kafkajs raised it, and no other,
 * so the hub's stderr holds only its own lines (a refused login is one line before exit 78).
 */
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;

function isKafkajsNegativeTimeout(args: readonly unknown[]): boolean {
  const [, type] = args;
  const name = typeof type === 'string' ? type : (type as { type?: unknown } | undefined)?.type;
  return name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(new Error().stack ?? '');
}

process.emitWarning = ((...args: unknown[]) => {
  if (!isKafkajsNegativeTimeout(args)) emitWarning(...args);
}) as typeof process.emitWarning;
