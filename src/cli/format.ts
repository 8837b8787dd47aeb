/** "in 59m", "in 11h 59m", "expired 3m ago": how long until a time, for people. */
export function timeLeft(until: Date, now: Date = new Date()): string {
  const seconds = Math.round((until.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const text = h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m` : `${abs}s`;
  return seconds >= 0 ? `in ${text}` : `expired ${text} ago`;
}

/** Aligned `key  value` lines for text output. */
export function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n') + '\n';
}
