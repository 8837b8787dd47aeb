import { usageError } from '../errors.js';
import { pyIndent, pyRstrip, pySplitLines, pyStrip } from './pyText.js';
import { shownLine } from './shown.js';

/**
 * One line of an INI file, exactly as written, with what botocore understood of it.
 * `text` excludes the line terminator; `eol` is `\n`, `\r\n`, `\r`, or `''` for a last
 * line without one, so that rendering gives back the input byte for byte.
 */
export type IniLine = { readonly text: string; readonly eol: string } & (
  | { readonly kind: 'blank' | 'comment' }
  /** `name` is what is between `[` and the last `]`, spaces included, as configparser takes it. */
  | { readonly kind: 'section'; readonly name: string }
  /** `key` as written (botocore lower-cases it); `indent` counts leading white space characters. */
  | { readonly kind: 'key'; readonly key: string; readonly value: string; readonly indent: number }
  /** A line indented deeper than the key before it: part of that key's value (see {@link getSection}). */
  | { readonly kind: 'continuation'; readonly value: string; readonly owner: number }
);

/**
 * A parsed AWS config or credentials file that keeps every byte of the original (comments,
 * blank lines, indentation, line endings). Treat it as immutable: the editing functions
 * return a new document.
 */
export interface IniDocument {
  /** The file it came from, named in error messages. */
  readonly path: string | undefined;
  readonly lines: readonly IniLine[];
}

/** configparser's section whose keys apply to every other section of the same file. */
export const DEFAULT_SECTION = 'DEFAULT';

const FIX = 'Fix or remove that line; tempcreds never rewrites a file it cannot read.';

interface ParseState {
  section: string | undefined;
  /** The key line an indented line would continue (configparser's `optname`), if any. */
  owner: number | undefined;
  /** Indentation of the last line that was not a continuation (configparser's `indent_level`). */
  indentLevel: number;
  /** First line of each section and of each key (`section\nkey`), to name repeats. */
  seen: Map<string, number>;
}

/**
 * Parses INI text exactly as botocore does (Python's `configparser.RawConfigParser`, strict):
 * `[section]` headers (the name is everything up to the last `]`, spaces included, and text
 * after it is ignored), `key = value` or `key: value` (the first `=` or `:` splits), `#` and `;`
 * full-line comments only, Python's white space rules, and a line indented deeper than the key
 * above it continues that key's value (how nested `s3 =` settings are written). `[DEFAULT]` keys
 * apply to every section. Throws a usage error naming the path, the 1-based line and the fix for
 * every file botocore refuses: a byte order mark, a setting before the first header, a line that
 * is not `key = value`, a repeated section, a key set twice in one section (keys ignore case), a
 * nested setting without `=`. Reading such a file differently from the AWS CLI would mean
 * reporting success for a profile the AWS CLI cannot use.
 */
export function parseIni(text: string, path?: string): IniDocument {
  const where = path ?? 'INI text';
  if (text.startsWith('\ufeff')) {
    throw usageError(
      `${where} line 1 starts with a byte order mark (BOM), which the AWS CLI cannot read.`,
      `Save it without the BOM, e.g. perl -pi -e 's/^\\xEF\\xBB\\xBF// if $. == 1' ${path ?? 'FILE'}`,
    );
  }
  const lines: IniLine[] = [];
  const state: ParseState = { section: undefined, owner: undefined, indentLevel: 0, seen: new Map() };
  for (const { text: line, eol } of splitLines(text)) {
    const fail = (problem: string, fix = FIX): never => {
      throw usageError(`${where} line ${lines.length + 1} ${problem}: ${shownLine(line)}`, fix);
    };
    lines.push({ text: line, eol, ...classify(line, lines.length, state, fail) });
  }
  const doc = { path, lines };
  checkNested(doc, failAtLine(where, lines));
  return doc;
}

type Classified =
  | { kind: 'blank' | 'comment' }
  | { kind: 'section'; name: string }
  | { kind: 'key'; key: string; value: string; indent: number }
  | { kind: 'continuation'; value: string; owner: number };

/** One step of configparser's `_read` loop. */
function classify(
  line: string,
  index: number,
  state: ParseState,
  fail: (problem: string, fix?: string) => never,
): Classified {
  const trimmed = pyStrip(line);
  if (trimmed === '') return { kind: 'blank' };
  if (trimmed.startsWith('#') || trimmed.startsWith(';')) return { kind: 'comment' };
  const indent = pyIndent(line);
  if (state.owner !== undefined && indent > state.indentLevel) {
    return { kind: 'continuation', value: trimmed, owner: state.owner };
  }
  state.indentLevel = indent;
  state.owner = undefined;
  const name = headerName(trimmed);
  if (name !== undefined) {
    const first = state.seen.get(name);
    if (first !== undefined && name !== DEFAULT_SECTION) {
      fail(
        `repeats the section [${name}] of line ${first + 1}`,
        `Merge the two [${name}] sections into one: the AWS CLI refuses a file that repeats a section.`,
      );
    }
    if (first === undefined) state.seen.set(name, index);
    state.section = name;
    return { kind: 'section', name };
  }
  const delimiter = trimmed.search(/[=:]/);
  if (state.section === undefined) {
    fail(
      delimiter > 0
        ? 'is a setting before the first "[section]" header'
        : 'is not "key = value" or "[section]"',
    );
  }
  if (delimiter < 0) {
    fail(
      trimmed.startsWith('[')
        ? 'is not a complete "[section]" header'
        : 'is not "key = value" or "[section]"',
    );
  }
  const key = pyRstrip(trimmed.slice(0, delimiter));
  if (key === '') fail('is not "key = value" or "[section]"');
  const id = `${state.section}\n${key.toLowerCase()}`;
  const first = state.seen.get(id);
  if (first !== undefined) {
    fail(
      `sets ${JSON.stringify(key)} again (line ${first + 1}; keys ignore case)`,
      'Keep one of the two lines: the AWS CLI refuses a file that sets a key twice in one section.',
    );
  }
  state.seen.set(id, index);
  state.owner = index;
  return { kind: 'key', key, value: pyStrip(trimmed.slice(delimiter + 1)), indent };
}

function failAtLine(where: string, lines: readonly IniLine[]) {
  return (index: number, problem: string): never => {
    throw usageError(`${where} line ${index + 1} ${problem}: ${shownLine(lines[index]?.text ?? '')}`, FIX);
  };
}

/**
 * botocore parses a value that starts on the next line (`s3 =` then indented lines) as nested
 * `key = value` settings and refuses the file when one has no `=`. It does so for every value it
 * reads: all keys of every section, and the `[DEFAULT]` keys that some section does not override.
 */
function checkNested(doc: IniDocument, failAt: (index: number, problem: string) => never): void {
  const model = readModel(doc);
  const sections = [...model.sections.values()];
  const check = (key: RawKey) => {
    if (!key.nested) return;
    for (const index of key.lines) {
      const line = doc.lines[index];
      if (line?.kind !== 'continuation') continue;
      if (nestedPairs(line.value).some((pair) => pair === undefined)) {
        failAt(index, `is inside the nested "${key.name}" settings but is not "key = value"`);
      }
    }
  };
  for (const section of sections) section.keys.forEach(check);
  for (const key of model.defaults.values()) {
    if (sections.some((section) => !section.keys.has(key.name))) check(key);
  }
}

/** The `[key, value]` pairs of one nested line (Python's splitlines may split it further); `undefined` for a piece without `=`. */
export function nestedPairs(value: string): Array<[string, string] | undefined> {
  return pySplitLines(value)
    .map(pyStrip)
    .filter((piece) => piece !== '')
    .map((piece) => {
      const at = piece.indexOf('=');
      return at < 0 ? undefined : [pyStrip(piece.slice(0, at)), pyStrip(piece.slice(at + 1))];
    });
}

/** The text of a document: `renderIni(parseIni(x)) === x` for every `x` that parses. */
export function renderIni(doc: IniDocument): string {
  let text = '';
  for (const line of doc.lines) text += line.text + line.eol;
  return text;
}

/** One key of one section as botocore stores it before reading values. */
export interface RawKey {
  /** Lower-cased, as botocore's `optionxform` does. */
  name: string;
  /** Its line and its continuation lines, in order. */
  lines: number[];
  /** The value: continuation values joined by `\n` (blank lines inside count), trailing space stripped. */
  value: string;
  /** True for a value that starts on the next line: botocore reads it as nested settings. */
  nested: boolean;
}

/** A section occurrence: its header line and its keys in file order. */
export interface RawSection {
  name: string;
  /** The header line; `[DEFAULT]` may have several. */
  headers: number[];
  keys: Map<string, RawKey>;
}

interface ReadModel {
  sections: Map<string, RawSection>;
  defaults: Map<string, RawKey>;
}

const models = new WeakMap<IniDocument, ReadModel>();

/**
 * Sections and keys of a document in one pass (cached per document, which is immutable).
 * @internal for the config module; not part of the library API.
 */
export function readModel(doc: IniDocument): ReadModel {
  const cached = models.get(doc);
  if (cached) return cached;
  const sections = new Map<string, RawSection>();
  const defaults: RawSection = { name: DEFAULT_SECTION, headers: [], keys: new Map() };
  const parts = new Map<RawKey, string[]>();
  let current: RawSection | undefined;
  let key: RawKey | undefined;
  doc.lines.forEach((line, i) => {
    if (line.kind === 'section') {
      current = line.name === DEFAULT_SECTION ? defaults : { name: line.name, headers: [], keys: new Map() };
      current.headers.push(i);
      if (current !== defaults) sections.set(line.name, current);
      key = undefined;
    } else if (line.kind === 'key' && current) {
      key = { name: line.key.toLowerCase(), lines: [i], value: '', nested: false };
      current.keys.set(key.name, key);
      parts.set(key, [line.value]);
    } else if (key && line.kind === 'continuation') {
      parts.get(key)?.push(line.value);
      key.lines.push(i);
    } else if (key && line.kind === 'blank') {
      parts.get(key)?.push('');
    }
  });
  for (const [raw, values] of parts) {
    raw.value = pyRstrip(values.join('\n'));
    raw.nested = raw.value.startsWith('\n');
  }
  const model = { sections, defaults: defaults.keys };
  models.set(doc, model);
  return model;
}

/** Section names in file order, `[DEFAULT]` left out (configparser's `sections()`). */
export function sectionNames(doc: IniDocument): string[] {
  return [...readModel(doc).sections.keys()];
}

/**
 * The keys of a section as botocore reads them, `[DEFAULT]`'s first and the section's own
 * winning, or `undefined` when there is no such section.
 */
export function sectionKeys(doc: IniDocument, name: string): Map<string, RawKey> | undefined {
  const model = readModel(doc);
  const section = name === DEFAULT_SECTION ? undefined : model.sections.get(name);
  return section && new Map([...model.defaults, ...section.keys]);
}

/**
 * The settings of a section as botocore reads them, or `undefined` when there is no such
 * section. `[DEFAULT]` keys come first, the section's own win. Keys are lower-cased. A nested
 * block (`s3 =` then indented `max_concurrent_requests = 10`) is flattened to
 * `s3.max_concurrent_requests`, the name `aws configure get` uses; the inner keys keep their
 * case, as in botocore. Any other continued value is joined with `\n`.
 */
export function getSection(doc: IniDocument, name: string): Record<string, string> | undefined {
  const keys = sectionKeys(doc, name);
  return keys && flatten(keys.values());
}

/** Keys as flat settings: a nested value becomes `key.sub` entries. */
export function flatten(keys: Iterable<Pick<RawKey, 'name' | 'value' | 'nested'>>): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const key of keys) {
    if (!key.nested) settings[key.name] = key.value;
    else for (const pair of nestedPairs(key.value)) if (pair) settings[`${key.name}.${pair[0]}`] = pair[1];
  }
  return settings;
}

/**
 * The name in a header line as configparser's `\[(?P<header>.+)\]` takes it from the stripped
 * line: from after the `[` to the last `]`, or `undefined` when the line is not a header.
 */
function headerName(trimmed: string): string | undefined {
  if (!trimmed.startsWith('[')) return undefined;
  const close = trimmed.lastIndexOf(']');
  return close >= 2 ? trimmed.slice(1, close) : undefined;
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
