const UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "250ms", "5s", "1m", "2h" → milliseconds. Used for retry schedules in config and manifests. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`expected a duration such as 500ms, 5s, 1m or 2h, got "${text}"`);
  return Number(match[1]) * UNITS_MS[match[2] as keyof typeof UNITS_MS];
}

/** The inverse, for topic names: 5000 → "5s", 60000 → "1m". */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms % UNITS_MS[unit] === 0) return `${ms / UNITS_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
