/**
 * S3 lists keys in the byte order of their UTF-8 encoding. JavaScript compares strings by UTF-16
 * code units, which disagrees for characters above U+FFFF against U+E000..U+FFFF. Comparing by code
 * points gives the UTF-8 byte order without encoding anything.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Both are BMP characters outside the surrogate range, or both surrogates: unit order is right.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    // A surrogate (a code point above U+FFFF) sorts after every BMP character.
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}
