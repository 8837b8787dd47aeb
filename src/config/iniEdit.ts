import { TempcredsError, usageError } from '../errors.js';
import { blockLines, getSection, parseIni, sectionRanges, type IniDocument, type IniLine } from './ini.js';

type RawLine = { text: string; eol: string };

/**
 * Sets (`string`) or removes (`null`) keys of a section and returns the new document; the
 * input is not changed. A key is replaced on its own line, keeping that line's indentation,
 * key spelling and spacing around `=`; a new key goes after the section's last setting
 * (repeated sections: the last one), indented and spaced like it; a missing section is
 * appended after one blank line. Keys match case-insensitively, as botocore lower-cases them.
 * Every other byte of the file stays as it was.
 */
export function setValues(
  doc: IniDocument,
  section: string,
  values: Record<string, string | null>,
): IniDocument {
  checkSectionName(doc, section);
  const lowered = Object.keys(values).map((key) => key.toLowerCase());
  if (new Set(lowered).size !== lowered.length) {
    throw usageError(`Cannot write [${section}] of ${where(doc)}: a key is given twice (keys ignore case).`);
  }
  let next = doc;
  for (const [key, value] of Object.entries(values)) {
    checkKey(doc, section, key, value);
    next = value === null ? removeKey(next, section, key) : setKey(next, section, key, value);
  }
  verify(next, section, values);
  return next;
}

/**
 * Removes every occurrence of a section: its header and settings, with comments between
 * them. Comments after its last setting are left, as they usually describe what follows.
 */
export function removeSection(doc: IniDocument, section: string): IniDocument {
  let next = doc;
  for (let range = sectionRanges(next, section).at(-1); range; range = sectionRanges(next, section).at(-1)) {
    const [header] = range;
    const last = lastSetting(next, range) ?? header;
    const isBlank = (i: number) => next.lines[i]?.kind === 'blank';
    // Do not leave two blank lines where the section stood between two.
    let [from, to] = [header, last + 1];
    if (isBlank(to) && (from === 0 || isBlank(from - 1))) to++;
    else if (to === next.lines.length && isBlank(from - 1)) from--;
    next = rebuild(next, [...next.lines.slice(0, from), ...next.lines.slice(to)]);
  }
  return next;
}

function setKey(doc: IniDocument, section: string, key: string, value: string): IniDocument {
  const last = keyLines(doc, section, key).at(-1);
  if (last !== undefined) {
    const { indent, name, sep, trailing } = keyStyle((doc.lines[last] as RawLine).text);
    const replaced = keyLine(indent, name, sep, value, trailing);
    // The old value's continuation lines (a nested block) go with it.
    const dropped = new Set(blockLines(doc, last).filter((i) => doc.lines[i]?.kind === 'continuation'));
    return rebuild(
      doc,
      doc.lines.flatMap((l, i) => (i === last ? [{ ...l, text: replaced }] : dropped.has(i) ? [] : [l])),
    );
  }
  const range = sectionRanges(doc, section).at(-1);
  if (!range) {
    const gap = doc.lines.length > 0 && doc.lines.at(-1)?.kind !== 'blank' ? [raw('')] : [];
    return rebuild(doc, [...doc.lines, ...gap, raw(`[${section}]`), raw(`${key} = ${value}`)]);
  }
  const anchor = lastSetting(doc, range) ?? range[0];
  // New keys always use `=`: the AWS SDKs for JavaScript do not read `key: value`.
  const { indent, sep } = keyStyle(styleLine(doc, range));
  const added = raw(keyLine(indent, key, sep.includes('=') ? sep : ' = ', value, ''));
  return rebuild(doc, [...doc.lines.slice(0, anchor + 1), added, ...doc.lines.slice(anchor + 1)]);
}

function removeKey(doc: IniDocument, section: string, key: string): IniDocument {
  // Every occurrence goes, or an earlier duplicate would take the removed key's place.
  const dropped = new Set(
    keyLines(doc, section, key).flatMap((index) =>
      blockLines(doc, index).filter((i) => i === index || doc.lines[i]?.kind === 'continuation'),
    ),
  );
  return dropped.size === 0
    ? doc
    : rebuild(
        doc,
        doc.lines.filter((_, i) => !dropped.has(i)),
      );
}

/** How a key line is written: indentation, key, separator (`=` or `:` with its spaces), trailing spaces. */
function keyStyle(text: string): { indent: string; name: string; sep: string; trailing: string } {
  const [, indent = '', name = '', sep = ' = ', value = '', trailing = ''] =
    /^(\s*)(.*?)(\s*[=:]\s*)(.*?)(\s*)$/.exec(text) ?? [];
  // After `key =` with no value, the spaces after `=` are unknown: mirror those before it.
  return { indent, name, sep: value === '' ? sep.trimEnd() + (/^\s/.test(sep) ? ' ' : '') : sep, trailing };
}

function keyLine(indent: string, key: string, sep: string, value: string, trailing: string): string {
  return value === '' ? `${indent}${key}${sep}`.trimEnd() : `${indent}${key}${sep}${value}${trailing}`;
}

/** The text of the last key line in a section occurrence, to copy its style; `''` if none. */
function styleLine(doc: IniDocument, [start, end]: [number, number]): string {
  const keys = doc.lines.slice(start + 1, end).filter((line) => line.kind === 'key');
  return keys.at(-1)?.text ?? '';
}

/** Index of the last key or continuation line of a section occurrence. */
function lastSetting(doc: IniDocument, [start, end]: [number, number]): number | undefined {
  for (let i = end - 1; i > start; i--) {
    const kind = doc.lines[i]?.kind;
    if (kind === 'key' || kind === 'continuation') return i;
  }
  return undefined;
}

/** Indexes of the lines that set `key` in any occurrence of `section`. */
function keyLines(doc: IniDocument, section: string, key: string): number[] {
  const wanted = key.toLowerCase();
  return sectionRanges(doc, section).flatMap(([start, end]) => {
    const found: number[] = [];
    for (let i = start + 1; i < end; i++) {
      const line = doc.lines[i];
      if (line?.kind === 'key' && line.key.toLowerCase() === wanted) found.push(i);
    }
    return found;
  });
}

function raw(text: string): RawLine {
  return { text, eol: '' };
}

/**
 * The document for edited lines: new lines get the file's line ending (that of its first
 * line), and the file keeps ending with a newline, or without one, as it did.
 */
function rebuild(doc: IniDocument, lines: ReadonlyArray<RawLine | IniLine>): IniDocument {
  const eol = doc.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  const endsWithEol = doc.lines.length === 0 || doc.lines.at(-1)?.eol !== '';
  const text = lines
    .map((line, i) => {
      const last = i === lines.length - 1;
      return line.text + (last && !endsWithEol ? '' : line.eol || eol);
    })
    .join('');
  return parseIni((doc.bom ? '\ufeff' : '') + text, doc.path);
}

function where(doc: IniDocument): string {
  return doc.path ?? 'INI text';
}

function checkSectionName(doc: IniDocument, section: string): void {
  if (section === '' || section !== section.trim() || /[\r\n]/.test(section)) {
    throw usageError(
      `Cannot write section "${section.trim()}" to ${where(doc)}: a section name must be one line without surrounding spaces.`,
    );
  }
}

function checkKey(doc: IniDocument, section: string, key: string, value: string | null): void {
  // `.` is how nested settings are named (`s3.max_concurrent_requests`); writing those is not supported.
  if (!/^[^\s=:[#;.][^=:\r\n.]*$/.test(key) || key !== key.trim()) {
    throw usageError(
      `Cannot write key "${key.trim()}" in [${section}] of ${where(doc)}: a key is one line without "=", ":" or "." and cannot start with "[", "#" or ";".`,
    );
  }
  // The value is a secret more often than not: name the key, never the value.
  if (value !== null && (value !== value.trim() || /[\r\n]/.test(value))) {
    throw usageError(
      `Cannot write ${key} in [${section}] of ${where(doc)}: its value has a line break or starts or ends with a space, which the file format cannot hold.`,
    );
  }
}

/** Reads back what was written: an edit that would not read back as asked is a bug, never a file. */
function verify(doc: IniDocument, section: string, values: Record<string, string | null>): void {
  const settings = getSection(doc, section) ?? {};
  for (const [key, value] of Object.entries(values)) {
    if (settings[key.toLowerCase()] !== (value ?? undefined)) {
      throw new TempcredsError(
        `tempcreds bug: ${key} in [${section}] of ${where(doc)} did not read back as written.`,
        {
          kind: 'failed',
        },
      );
    }
  }
}
