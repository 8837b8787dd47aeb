import { usageError } from '../errors.js';
import {
  DEFAULT_SECTION,
  models,
  nestedPairs,
  newModel,
  readModel,
  type RawKey,
  type RawSection,
} from './iniModel.js';
import { pyIndent, pyRstrip, pyStrip } from './pyText.js';
import { shownLine } from './shown.js';
import type { IniDocument, IniLine } from './iniDocument.js';

export type { IniDocument, IniLine } from './iniDocument.js';

export {
  DEFAULT_SECTION,
  flatten,
  getSection,
  nestedPairs,
  readModel,
  sectionKeys,
  sectionNames,
  type RawKey,
  type RawSection,
} from './iniModel.js';

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
  /** The line being read (its text, 0-based index, and text stripped): named in errors. */
  text: string;
  index: number;
  trimmed: string;
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
    text: '',
    index: 0,
    trimmed: '',
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
  models.set(doc, newModel(doc, state.sections, state.defaultHeaders));
  if (state.nested) checkNested(doc, failAtLine(where, lines));
  texts.set(doc, text);
  return doc;
}

function failure(state: ParseState, problem: string, fix = FIX): never {
  throw usageError(`${state.where} line ${state.index + 1} ${problem}: ${shownLine(state.text)}`, fix);
}

/** One step of configparser's `_read` loop: the line, as configparser takes it. */
function classify(text: string, eol: string, lines: readonly IniLine[], state: ParseState): IniLine {
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
  state.text = text;
  state.index = lines.length;
  state.trimmed = trimmed;
  const name = headerName(trimmed);
  return name === undefined ? keyLine(eol, indent, state) : header(eol, name, state);
}

function header(eol: string, name: string, state: ParseState): IniLine {
  const seen = state.sections.get(name);
  if (seen !== undefined) {
    failure(
      state,
      `repeats the section [${name}] of line ${seen + 1}`,
      `Merge the two [${name}] sections into one: the AWS CLI refuses a file that repeats a section.`,
    );
  }
  if (name === DEFAULT_SECTION) state.defaultHeaders.push(state.index);
  else state.sections.set(name, state.index);
  state.section = name;
  state.keys = name === DEFAULT_SECTION ? state.defaultKeys : new Map();
  return { text: state.text, eol, kind: 'section', name };
}

function keyLine(eol: string, indent: number, state: ParseState): IniLine {
  const { trimmed } = state;
  const delimiter = trimmed.search(/[=:]/);
  const garbage = 'is not "key = value" or "[section]"';
  if (state.section === undefined) {
    failure(state, delimiter > 0 ? 'is a setting before the first "[section]" header' : garbage);
  }
  if (delimiter < 0) {
    failure(state, trimmed.startsWith('[') ? 'is not a complete "[section]" header' : garbage);
  }
  const key = pyRstrip(trimmed.slice(0, delimiter));
  if (key === '') failure(state, garbage);
  const id = key.toLowerCase();
  const seen = state.keys.get(id);
  if (seen !== undefined) {
    failure(
      state,
      `sets ${JSON.stringify(key)} again (line ${seen + 1}; keys ignore case)`,
      'Keep one of the two lines: the AWS CLI refuses a file that sets a key twice in one section.',
    );
  }
  state.keys.set(id, state.index);
  state.owner = state.index;
  return { text: state.text, eol, kind: 'key', key, value: pyStrip(trimmed.slice(delimiter + 1)), indent };
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

/**
 * The name in a header line as configparser's `\[(?P<header>.+)\]` takes it from the stripped
 * line: from after the `[` to the last `]`, or `undefined` when the line is not a header.
 */
function headerName(trimmed: string): string | undefined {
  if (!trimmed.startsWith('[')) return undefined;
  const close = trimmed.lastIndexOf(']');
  return close >= 2 ? trimmed.slice(1, close) : undefined;
}
