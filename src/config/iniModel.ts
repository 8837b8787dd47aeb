/**
 * The reading side of a parsed INI document, as botocore sees it: sections, their keys and
 * values (`[DEFAULT]` underneath, nested values flattened). Built lazily and cached per document.
 */
import type { IniDocument, IniLine } from './iniDocument.js';
import { pyRstrip, pySplitLines, pyStrip } from './pyText.js';

/** configparser's section whose keys apply to every other section of the same file. */
export const DEFAULT_SECTION = 'DEFAULT';

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

export interface ReadModel {
  /** The header line of each section but `[DEFAULT]`, in file order. */
  headers: Map<string, number>;
  /** A section and its keys (read when first asked for), or `undefined`. */
  section(name: string): RawSection | undefined;
  /** The keys of `[DEFAULT]`, all its occurrences together. */
  readonly defaults: Map<string, RawKey>;
}

/** @internal the parser leaves a document's model here, ready. */
export const models = new WeakMap<IniDocument, ReadModel>();

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
  const made = newModel(doc, headers, defaultHeaders);
  models.set(doc, made);
  return made;
}

/** @internal a model from the header lines (the parser has them from its duplicate check). */
export function newModel(
  doc: IniDocument,
  headers: Map<string, number>,
  defaultHeaders: number[],
): ReadModel {
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
