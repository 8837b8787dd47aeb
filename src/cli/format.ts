/** "in 59m", "in 11h 59m", "expired 3m ago": how long until a time, for people. */
export function timeLeft(until: Date, now: Date = new Date()): string {
  const seconds = Math.round((until.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const text = h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m` : `${abs}s`;
  return seconds >= 0 ? `in ${text}` : `expired ${text} ago`;
}

/**
 * Aligned columns, two spaces apart: the widths come from `rows`, and the returned function
 * formats those and later rows (a step's "created" line under its "create" line) alike.
 */
export function aligner(rows: string[][], indent = '  '): (row: string[]) => string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return (row) =>
    indent +
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ') +
    '\n';
}

/** Aligned `key  value` lines for text output. */
export function table(rows: Array<[string, string]>): string {
  return rows.map(aligner(rows, '')).join('');
}
