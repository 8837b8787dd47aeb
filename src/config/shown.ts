/**
 * Names and lines as they may appear in a message: on one line, quoted, with invisible and
 * control characters written as escapes (a profile name with a newline, a header with a
 * zero-width space after it), so that what looks alike on a terminal does not read alike.
 */

// Control, format (zero-width, BOM, bidi) and separator characters other than the plain space.
const INVISIBLE = /[\p{C}\p{Z}]/gu;

function escaped(text: string): string {
  return JSON.stringify(text).replace(INVISIBLE, (c) =>
    c === ' ' ? c : `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** A name (profile, section, key) quoted and escaped: `"a\nb"`. */
export function shownName(name: string): string {
  return escaped(name);
}

/**
 * A bad line as it may be shown in an error: quoted, escaped, shortened, and with every long run
 * of key-like characters masked, because a broken credentials line may hold a secret.
 */
export function shownLine(line: string): string {
  const masked = line.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[A-Za-z0-9/+=]{16,}/g, '***');
  return escaped(masked.length > 60 ? `${masked.slice(0, 57)}...` : masked);
}
