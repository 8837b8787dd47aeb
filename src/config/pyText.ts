/**
 * Python's idea of white space and lines, which botocore's INI reader (Python's configparser) uses.
 * JavaScript's `trim()` differs: it keeps `\x1c`-`\x1f` and `\x85`, and strips `\ufeff`.
 */

/** The characters `str.isspace()` is true for (also `\s` in `re` and what `strip()` removes). */
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LEADING = new RegExp(`^[${SPACE}]+`);
const TRAILING = new RegExp(`[${SPACE}]+$`);
const NON_SPACE = new RegExp(`[^${SPACE}]`);
/** What `str.splitlines()` splits on (a file read line by line splits on `\n`, `\r` and `\r\n` only). */
// eslint-disable-next-line no-control-regex -- Python's line breaks include these control characters.
const LINE_BREAK = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/;

/** `s.strip()` */
export function pyStrip(s: string): string {
  return pyRstrip(s.replace(LEADING, ''));
}

/** `s.rstrip()` */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING, '');
}

/** `s.lstrip()` */
export function pyLstrip(s: string): string {
  return s.replace(LEADING, '');
}

/** Index of the first character that is not white space (configparser's indentation), or -1. */
export function pyIndent(s: string): number {
  return s.search(NON_SPACE);
}

/** True when `c` is a white space character to Python. */
export function pyIsSpace(c: string): boolean {
  return c !== '' && pyStrip(c) === '';
}

/** `s.splitlines()` */
export function pySplitLines(s: string): string[] {
  const parts = s.split(LINE_BREAK);
  // splitlines() drops the empty string after a final line break.
  if (parts.length > 0 && parts.at(-1) === '' && s !== '') parts.pop();
  return s === '' ? [] : parts;
}
