/** Durations and sizes as the agent's config writes them: `500ms`, `1s`, `5m`, `1h`; `64KiB`, `1GiB`. */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from `500ms`, `1s`, `1.5s`, `5m`, `1h`, `1d`, or a plain number of seconds; undefined otherwise. */
export function parseInterval(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) * 1000 : undefined;
  return Math.round(Number(match[1]) * DURATION_MS[match[2]!]!);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/i;
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** Bytes from `1048576`, `64KiB`, `100MB`, `1GiB` (case-insensitive units); undefined otherwise. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()]!);
}

/** `1500` -> `1.5s`, `90000` -> `1m30s`: for plans and logs. */
export function formatInterval(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${formatInterval(ms % 60_000)}`;
  return `${ms / 1000}s`;
}
