import { usageError } from '../errors.js';

/**
 * One line of an INI file, exactly as written, with what the parser understood of it.
 * `text` excludes the line terminator; `eol` is `\n`, `\r\n`, `\r`, or `''` for a last
 * line without one, so that rendering gives back the input byte for byte.
 */
export type IniLine = { readonly text: string; readonly eol: string } & (
  | { readonly kind: 'blank' | 'comment' }
  | { readonly kind: 'section'; readonly name: string }
  | { readonly kind: 'key'; readonly key: string; readonly value: string; readonly indent: number }
  /** A line indented deeper than the key before it: part of that key's value (see {@link getSection}). */
  | { readonly kind: 'continuation'; readonly value: string; readonly owner: number }
);

/**
 * A parsed AWS config or credentials file that keeps every byte of the original
 * (comments, blank lines, indentation, line endings, BOM). Treat it as immutable:
 * the editing functions return a new document.
 */
export interface IniDocument {
  /** The file it came from, named in error messages. */
  readonly path: string | undefined;
  /** The UTF-8 byte order mark some Windows editors write; kept, and ignored by the parser. */
  readonly bom: boolean;
  readonly lines: readonly IniLine[];
}

const FIX = 'Fix or remove that line; tempcreds never rewrites a file it cannot read.';

/**
 * Parses INI text by the rules of botocore (the AWS CLI's `RawConfigParser`):
 * `[section]` headers, `key = value` or `key: value` (first `=` or `:` splits), `#` and `;`
 * full-line comments only (a `#` inside a value is part of the value), and a line indented
 * deeper than the key above it continues that key's value (this is how nested `s3 =`
 * settings are written). Throws a usage error naming the path and 1-based line for
 * anything else, because guessing would mean rewriting a file we did not understand.
 */
export function parseIni(text: string, path?: string): IniDocument {
  const bom = text.startsWith('\ufeff');
  const lines: IniLine[] = [];
  let inSection = false;
  // The key whose value an indented line would continue, if any.
  let owner: { index: number; indent: number; nested: boolean; key: string } | undefined;

  for (const { text: line, eol } of splitLines(bom ? text.slice(1) : text)) {
    const index = lines.length;
    const trimmed = line.trim();
    const fail: (problem: string) => never = (problem) => {
      throw usageError(`${path ?? 'INI text'} line ${index + 1} ${problem}: "${shown(trimmed)}"`, FIX);
    };
    if (trimmed === '') {
      lines.push({ text: line, eol, kind: 'blank' });
      continue;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) {
      lines.push({ text: line, eol, kind: 'comment' });
      continue;
    }
    const indent = line.search(/\S/);
    if (owner && indent > owner.indent) {
      // botocore parses an empty value followed by indented lines as `key = value` pairs.
      if (owner.nested && !/^[^=]*\S[^=]*=/.test(trimmed)) {
        fail(`is inside the nested "${owner.key}" settings but is not "key = value"`);
      }
      lines.push({ text: line, eol, kind: 'continuation', value: trimmed, owner: owner.index });
      continue;
    }
    owner = undefined;
    if (trimmed.startsWith('[')) {
      const name = headerName(trimmed);
      if (name === undefined) fail('is not a complete "[section]" header');
      lines.push({ text: line, eol, kind: 'section', name });
      inSection = true;
      continue;
    }
    const delimiter = trimmed.search(/[=:]/);
    const key = trimmed.slice(0, Math.max(delimiter, 0)).trimEnd();
    if (key === '') fail('is not "key = value" or "[section]"');
    if (!inSection) fail('is a setting before the first "[section]" header');
    const value = trimmed.slice(delimiter + 1).trim();
    owner = { index, indent, nested: value === '', key };
    lines.push({ text: line, eol, kind: 'key', key, value, indent });
  }
  return { path, bom, lines };
}

/** The text of a document: `renderIni(parseIni(x)) === x` for every `x` that parses. */
export function renderIni(doc: IniDocument): string {
  return (doc.bom ? '\ufeff' : '') + doc.lines.map((line) => line.text + line.eol).join('');
}

/** Section names in order of first appearance, each once. */
export function sectionNames(doc: IniDocument): string[] {
  const names = doc.lines.flatMap((line) => (line.kind === 'section' ? [line.name] : []));
  return [...new Set(names)];
}

/**
 * The settings of a section as botocore reads them, or `undefined` when there is no such
 * section. Repeated sections are merged, later keys winning. Keys are lower-cased, as
 * botocore's parser does (`Region = x` is `region`). A nested block
 * (`s3 =` then indented `max_concurrent_requests = 10`) is flattened to
 * `s3.max_concurrent_requests`, the name `aws configure get` uses; the inner keys keep their
 * case, as in botocore. Any other indented continuation joins the value with `\n`.
 */
export function getSection(doc: IniDocument, name: string): Record<string, string> | undefined {
  let found = false;
  const settings: Record<string, string> = {};
  for (const [start, end] of sectionRanges(doc, name)) {
    found = true;
    for (let i = start + 1; i < end; i++) {
      const line = doc.lines[i];
      if (line?.kind === 'key') assignKey(settings, line.key.toLowerCase(), keyValueParts(doc, i));
    }
  }
  return found ? settings : undefined;
}

function assignKey(settings: Record<string, string>, key: string, parts: string[]): void {
  // A later definition replaces the whole earlier value, nested children included.
  for (const old of Object.keys(settings)) {
    if (old === key || old.startsWith(`${key}.`)) delete settings[old];
  }
  if (parts[0] === '' && parts.length > 1) {
    for (const part of parts.slice(1)) {
      if (part === '') continue;
      const at = part.indexOf('=');
      settings[`${key}.${part.slice(0, at).trim()}`] = part.slice(at + 1).trim();
    }
  } else {
    settings[key] = parts.join('\n');
  }
}

/** The value of the key on line `index` and its continuation lines; blank lines between them count. */
function keyValueParts(doc: IniDocument, index: number): string[] {
  const first = doc.lines[index];
  const parts = [first?.kind === 'key' ? first.value : ''];
  let blanks = 0;
  for (const i of blockLines(doc, index).slice(1)) {
    const line = doc.lines[i];
    if (line?.kind === 'blank') blanks++;
    if (line?.kind !== 'continuation') continue;
    parts.push(...Array<string>(blanks).fill(''), line.value);
    blanks = 0;
  }
  return parts;
}

/**
 * Line indexes of the key on line `index` followed by every line up to its last
 * continuation (comments and blank lines inside the block included).
 * @internal for the editor; not part of the library API.
 */
export function blockLines(doc: IniDocument, index: number): number[] {
  let last = index;
  for (let i = index + 1; i < doc.lines.length; i++) {
    const line = doc.lines[i];
    if (line?.kind === 'continuation' && line.owner === index) last = i;
    else if (line?.kind === 'key' || line?.kind === 'section') break;
  }
  return Array.from({ length: last - index + 1 }, (_, k) => index + k);
}

/**
 * `[header, end)` line ranges of every occurrence of a section, in file order.
 * @internal for the editor; not part of the library API.
 */
export function sectionRanges(doc: IniDocument, name: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  doc.lines.forEach((line, i) => {
    if (line.kind !== 'section') return;
    const open = ranges.at(-1);
    if (open && open[1] === -1) open[1] = i;
    if (line.name === name) ranges.push([i, -1]);
  });
  const open = ranges.at(-1);
  if (open && open[1] === -1) open[1] = doc.lines.length;
  return ranges;
}

/**
 * The name in a `[ name ]` header, trimmed as the AWS CLI's profile lookup effectively
 * does, or `undefined` when the header is unclosed, empty, or followed by anything but a comment.
 */
function headerName(trimmed: string): string | undefined {
  const close = trimmed.lastIndexOf(']');
  const after = trimmed.slice(close + 1).trim();
  const name = trimmed.slice(1, close).trim();
  if (close < 0 || name === '' || !(after === '' || after.startsWith('#') || after.startsWith(';'))) {
    return undefined;
  }
  return name;
}

/** Splits on `\r\n`, `\n` or a lone `\r` (Python's universal newlines), keeping each terminator. */
function splitLines(text: string): Array<{ text: string; eol: string }> {
  const lines: Array<{ text: string; eol: string }> = [];
  const eols = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = eols.exec(text); match; match = eols.exec(text)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

/**
 * A bad line as it may be shown in an error: shortened, and with every long run of
 * key-like characters masked, because a broken credentials line may hold a secret.
 */
function shown(line: string): string {
  const masked = line.replace(/[A-Za-z0-9/+=]{16,}/g, '***');
  return masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
}
