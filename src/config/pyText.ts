/**
 * Python's idea of white space and lines, which botocore's INI reader (Python's configparser) uses.
 * JavaScript's `trim()` differs: it keeps `\x1c`-`\x1f` and `\x85`, and strips `\ufeff`.
 * Written as character code tests rather than regular expressions: these run on every line of
 * files that can be megabytes long.
 */

/** True for the characters `str.isspace()` is true for (also `\s` in `re` and what `strip()` removes). */
function isSpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** `s.strip()` */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpaceCode(s.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** `s.rstrip()` */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isSpaceCode(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Index of the first character that is not white space (configparser's indentation), or -1. */
export function pyIndent(s: string): number {
  for (let i = 0; i < s.length; i++) if (!isSpaceCode(s.charCodeAt(i))) return i;
  return -1;
}

// eslint-disable-next-line no-control-regex -- Python's line breaks include these control characters.
const LINE_BREAK = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/;

/** `s.splitlines()` */
export function pySplitLines(s: string): string[] {
  if (s === '') return [];
  const parts = s.split(LINE_BREAK);
  // splitlines() drops the empty string after a final line break.
  if (parts.at(-1) === '') parts.pop();
  return parts;
}
