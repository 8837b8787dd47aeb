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
  where: string;
  section: string | undefined;
  /** The key line an indented line would continue (configparser's `optname`), if any. */
  owner: number | undefined;
  /** Indentation of the last line that was not a continuation (configparser's `indent_level`). */
  indentLevel: number;
  /** The header line of each section but `[DEFAULT]`, to name a repeat (and for {@link readModel}). */
  sections: Map<string, number>;
  /** The header lines of `[DEFAULT]`, which may come more than once. */
  defaultHeaders: number[];
  /** First line of each key of the current section (lower-cased), to name a repeat. */
  keys: Map<string, number>;
  /** `[DEFAULT]` may come more than once; its keys are one set. */
  defaultKeys: Map<string, number>;
  /** True once a value starts on the next line: only then are nested values checked. */
  nested: boolean;
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
  const state: ParseState = {
    where,
    section: undefined,
    owner: undefined,
    indentLevel: 0,
    sections: new Map(),
    defaultHeaders: [],
    keys: new Map(),
    defaultKeys: new Map(),
    nested: false,
  };
  const eols = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = eols.exec(text); ; match = eols.exec(text)) {
    const end = match ? match.index : text.length;
    if (!match && start >= text.length) break;
    lines.push(classify(text.slice(start, end), match ? match[0] : '', lines, state));
    if (!match) break;
    start = end + match[0].length;
  }
  const doc = { path, lines };
  models.set(doc, model(doc, state.sections, state.defaultHeaders));
  if (state.nested) checkNested(doc, failAtLine(where, lines));
  texts.set(doc, text);
  return doc;
}

function failure(state: ParseState, index: number, line: string, problem: string, fix = FIX): never {
  throw usageError(`${state.where} line ${index + 1} ${problem}: ${shownLine(line)}`, fix);
}

/** One step of configparser's `_read` loop: the line, as configparser takes it. */
function classify(text: string, eol: string, lines: readonly IniLine[], state: ParseState): IniLine {
  const index = lines.length;
  const trimmed = pyStrip(text);
  if (trimmed === '') return { text, eol, kind: 'blank' };
  const first = trimmed.charCodeAt(0);
  if (first === 0x23 || first === 0x3b) return { text, eol, kind: 'comment' }; // # ;
  const indent = pyIndent(text);
  if (state.owner !== undefined && indent > state.indentLevel) {
    const owner = lines[state.owner];
    if (owner?.kind === 'key' && owner.value === '') state.nested = true;
    return { text, eol, kind: 'continuation', value: trimmed, owner: state.owner };
  }
  state.indentLevel = indent;
  state.owner = undefined;
  const name = headerName(trimmed);
  if (name !== undefined) {
    const seen = state.sections.get(name);
    if (seen !== undefined) {
      failure(
        state,
        index,
        text,
        `repeats the section [${name}] of line ${seen + 1}`,
        `Merge the two [${name}] sections into one: the AWS CLI refuses a file that repeats a section.`,
      );
    }
    if (name === DEFAULT_SECTION) state.defaultHeaders.push(index);
    else state.sections.set(name, index);
    state.section = name;
    state.keys = name === DEFAULT_SECTION ? state.defaultKeys : new Map();
    return { text, eol, kind: 'section', name };
  }
  const delimiter = trimmed.search(/[=:]/);
  if (state.section === undefined) {
    failure(
      state,
      index,
      text,
      delimiter > 0
        ? 'is a setting before the first "[section]" header'
        : 'is not "key = value" or "[section]"',
    );
  }
  if (delimiter < 0) {
    failure(
      state,
      index,
      text,
      first === 0x5b ? 'is not a complete "[section]" header' : 'is not "key = value" or "[section]"',
    );
  }
  const key = pyRstrip(trimmed.slice(0, delimiter));
  if (key === '') failure(state, index, text, 'is not "key = value" or "[section]"');
  const id = key.toLowerCase();
  const seen = state.keys.get(id);
  if (seen !== undefined) {
    failure(
      state,
      index,
      text,
      `sets ${JSON.stringify(key)} again (line ${seen + 1}; keys ignore case)`,
      'Keep one of the two lines: the AWS CLI refuses a file that sets a key twice in one section.',
    );
  }
  state.keys.set(id, index);
  state.owner = index;
  return { text, eol, kind: 'key', key, value: pyStrip(trimmed.slice(delimiter + 1)), indent };
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
  const sections = [...model.headers.keys()].map((name) => model.section(name) as RawSection);
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

const texts = new WeakMap<IniDocument, string>();

/** The text of a document: `renderIni(parseIni(x)) === x` for every `x` that parses. */
export function renderIni(doc: IniDocument): string {
  const cached = texts.get(doc);
  if (cached !== undefined) return cached;
  let text = '';
  for (const line of doc.lines) text += line.text + line.eol;
  texts.set(doc, text);
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

/** A section: its header line(s) and its keys in file order (read when first asked for). */
export interface RawSection {
  name: string;
  /** The header line; `[DEFAULT]` may have several. */
  headers: number[];
  readonly keys: Map<string, RawKey>;
}

interface ReadModel {
  /** The header line of each section but `[DEFAULT]`, in file order. */
  headers: Map<string, number>;
  /** A section and its keys (read when first asked for), or `undefined`. */
  section(name: string): RawSection | undefined;
  /** The keys of `[DEFAULT]`, all its occurrences together. */
  readonly defaults: Map<string, RawKey>;
}

const models = new WeakMap<IniDocument, ReadModel>();

/**
 * The sections of a document (cached per document, which is immutable; the parser leaves it
 * ready). A section's keys are read when first asked for, so that editing one profile of a file
 * with thousands reads one section, not all.
 * @internal for the config module; not part of the library API.
 */
export function readModel(doc: IniDocument): ReadModel {
  const cached = models.get(doc);
  if (cached) return cached;
  const headers = new Map<string, number>();
  const defaultHeaders: number[] = [];
  doc.lines.forEach((line, i) => {
    if (line.kind !== 'section') return;
    if (line.name === DEFAULT_SECTION) defaultHeaders.push(i);
    else headers.set(line.name, i);
  });
  const made = model(doc, headers, defaultHeaders);
  models.set(doc, made);
  return made;
}

function model(doc: IniDocument, headers: Map<string, number>, defaultHeaders: number[]): ReadModel {
  const made = new Map<string, RawSection>();
  const section = (name: string, at: number[]): RawSection => {
    let keys: Map<string, RawKey> | undefined;
    return {
      name,
      headers: at,
      get keys() {
        return (keys ??= readKeys(doc, at));
      },
    };
  };
  const defaults = section(DEFAULT_SECTION, defaultHeaders);
  return {
    headers,
    section(name) {
      const header = headers.get(name);
      if (header === undefined) return undefined;
      const cached = made.get(name) ?? section(name, [header]);
      made.set(name, cached);
      return cached;
    },
    get defaults() {
      return defaults.keys;
    },
  };
}

/** The keys in line ranges of a document, as configparser stores them. */
function readKeys(doc: IniDocument, headers: number[]): Map<string, RawKey> {
  const keys = new Map<string, RawKey>();
  let key: RawKey | undefined;
  // Blank lines count inside a value only when a continuation line follows them.
  let parts: string[] | undefined;
  let blanks = 0;
  const finish = () => {
    if (key && parts) {
      key.value = pyRstrip(parts.join('\n'));
      key.nested = key.value.startsWith('\n');
    }
    key = undefined;
    parts = undefined;
    blanks = 0;
  };
  for (const header of headers) {
    finish();
    for (let i = header + 1; i < doc.lines.length; i++) {
      const line = doc.lines[i] as IniLine;
      if (line.kind === 'section') break;
      if (line.kind === 'key') {
        finish();
        key = { name: line.key.toLowerCase(), lines: [i], value: line.value, nested: false };
        keys.set(key.name, key);
      } else if (key && line.kind === 'continuation') {
        parts ??= [key.value];
        for (; blanks > 0; blanks--) parts.push('');
        parts.push(line.value);
        key.lines.push(i);
      } else if (key && line.kind === 'blank') {
        blanks++;
      }
    }
  }
  finish();
  return keys;
}

/** Section names in file order, `[DEFAULT]` left out (configparser's `sections()`). */
export function sectionNames(doc: IniDocument): string[] {
  return [...readModel(doc).headers.keys()];
}

/**
 * The keys of a section as botocore reads them, `[DEFAULT]`'s first and the section's own
 * winning, or `undefined` when there is no such section.
 */
export function sectionKeys(doc: IniDocument, name: string): Map<string, RawKey> | undefined {
  const model = readModel(doc);
  const section = model.section(name);
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
