/**
 * Durations as people write them: `30s`, `10m`, `24h`, `2d`, `500ms`, or a
 * bare number of milliseconds. Pure; used by `--outbox-ttl`.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when `text` is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?$/i.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] ?? 1));
  return Number.isSafeInteger(ms) && ms >= 1 ? ms : undefined;
}

/** The shortest exact way to write `ms` back: 86400000 → `24h`, 90000 → `90s`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0 && ms >= size && !(unit === 'd' && ms / size < 2)) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
