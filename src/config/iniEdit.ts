import { TempcredsError, usageError } from '../errors.js';
import { getSection, parseIni, readModel, renderIni, type IniDocument } from './ini.js';
import { sdkHeader, sdkParse } from './jsSdkIni.js';
import { pyIndent, pySplitLines, pyStrip } from './pyText.js';
import { shownLine, shownName } from './shown.js';

/** The lines of one section while it is edited: `texts[0]` is its header. */
interface Block {
  texts: string[];
}

/**
 * Sets (`string`) or removes (`null`) keys of a section and returns the new document; the input
 * is not changed. Everything is written the one way every reader reads alike: keys in lower case
 * (the AWS SDK for JavaScript v3 is case-sensitive) as `key = value` (it does not read `key: value`).
 * A key is replaced on its own line, keeping its indentation and its spacing around `=`; a new key
 * goes after the section's last setting, indented and spaced like it. Where the SDK would read
 * that line as part of a nested block (`s3 =` then indented lines), the key goes right after the
 * header instead. A missing section is appended after one blank line. Every other byte of the file
 * stays as it was. Refused (usage error, exit 2): keys or values the format cannot hold, and
 * sections whose header or neighbours the SDK reads differently from the AWS CLI.
 */
export function setValues(
  doc: IniDocument,
  section: string,
  values: Record<string, string | null>,
): IniDocument {
  checkSectionName(doc, section);
  for (const [key, value] of Object.entries(values)) checkKey(doc, section, key, value);
  checkLineEndings(doc);
  const header = readModel(doc).sections.get(section)?.headers[0];
  if (header === undefined) {
    const added = Object.entries(values).flatMap(([key, value]) =>
      value === null ? [] : [`${key} = ${value}`],
    );
    return added.length === 0
      ? doc
      : finish(doc, section, values, doc.lines.length, doc.lines.length, [
          ...(doc.lines.length > 0 && doc.lines.at(-1)?.kind !== 'blank' ? [''] : []),
          `[${section}]`,
          ...added,
        ]);
  }
  const end = sectionEnd(doc, header);
  checkSdkBoundaries(doc, section, header, end);
  const block: Block = { texts: doc.lines.slice(header, end).map((line) => line.text) };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) removeKey(block, key);
    else setKey(block, key, value, nextIndent(doc, end));
  }
  return finish(doc, section, values, header, end, block.texts);
}

/**
 * Removes a section: its header and settings, with comments between them. Comments after its
 * last setting are left, as they usually describe what follows.
 */
export function removeSection(doc: IniDocument, section: string): IniDocument {
  const header = readModel(doc).sections.get(section)?.headers[0];
  if (header === undefined) return doc;
  const end = sectionEnd(doc, header);
  const last = lastSetting(doc.lines.slice(header, end).map((line) => line.text)) + header;
  const isBlank = (i: number) => doc.lines[i]?.kind === 'blank';
  // Do not leave two blank lines where the section stood between two.
  let [from, to] = [header, last + 1];
  if (isBlank(to) && (from === 0 || isBlank(from - 1))) to++;
  else if (to === doc.lines.length && isBlank(from - 1)) from--;
  return splice(doc, from, to, []);
}

/** Index of the line after a section: the next header, or the end of the file. */
function sectionEnd(doc: IniDocument, header: number): number {
  for (let i = header + 1; i < doc.lines.length; i++) if (doc.lines[i]?.kind === 'section') return i;
  return doc.lines.length;
}

function setKey(block: Block, key: string, value: string, indentAfter: string): void {
  const found = findKey(block, key);
  if (found) {
    const [line = 0, ...continuations] = found;
    const { indent, sep } = keyStyle(block.texts[line] ?? '');
    if (indent === '' || !sdkNestedAt(block.texts, line)) {
      block.texts[line] = `${indent}${key}${sep}${value}`;
      dropLines(block, continuations);
      return;
    }
    dropLines(block, found);
  }
  const last = lastSetting(block.texts);
  const style = keyStyle(last === 0 ? '' : (block.texts[styleLine(block)] ?? ''));
  if (last > 0 && (style.indent === '' || !sdkNestedAt(block.texts, last + 1))) {
    block.texts.splice(last + 1, 0, `${style.indent}${key}${style.sep}${value}`);
    return;
  }
  // Right after the header the SDK never nests; indented like the next line so that botocore
  // does not read that line as a continuation of this one.
  const first = firstContent(block);
  const indent = first === undefined ? indentAfter : keyStyle(block.texts[first] ?? '').indent;
  block.texts.splice(1, 0, `${indent}${key} = ${value}`);
}

function removeKey(block: Block, key: string): void {
  const found = findKey(block, key);
  if (found) dropLines(block, found);
}

/** The line of a key and its continuation lines in a block, as botocore reads them. */
function findKey(block: Block, key: string): number[] | undefined {
  return readModel(parseIni(block.texts.join('\n')))
    .sections.values()
    .next()
    .value?.keys.get(key)?.lines;
}

function dropLines(block: Block, lines: number[]): void {
  const dropped = new Set(lines);
  block.texts = block.texts.filter((_, i) => !dropped.has(i));
}

/** Index of the last key or continuation line of a block, 0 (the header) when there is none. */
function lastSetting(texts: string[]): number {
  const doc = parseIni(texts.join('\n'));
  for (let i = doc.lines.length - 1; i > 0; i--) {
    const kind = doc.lines[i]?.kind;
    if (kind === 'key' || kind === 'continuation') return i;
  }
  return 0;
}

/** Index of the last key line of a block (whose style a new key copies). */
function styleLine(block: Block): number {
  const doc = parseIni(block.texts.join('\n'));
  return doc.lines.findLastIndex((line) => line.kind === 'key');
}

/** Index of the first key line of a block, if any. */
function firstContent(block: Block): number | undefined {
  const index = parseIni(block.texts.join('\n')).lines.findIndex((line) => line.kind === 'key');
  return index < 0 ? undefined : index;
}

/** The indentation of the first line after a section that is a key or header, `''` at the end. */
function nextIndent(doc: IniDocument, end: number): string {
  const line = doc.lines.slice(end).find((l) => l.kind === 'key' || l.kind === 'section');
  return line ? keyStyle(line.text).indent : '';
}

/**
 * True when the SDK would read an indented line at `position` of a block as part of a nested
 * block: after `key =` with no value, every indented line is `key.sub` until an unindented one.
 */
function sdkNestedAt(texts: string[], position: number): boolean {
  const sections = sdkParse(texts.slice(0, position).join('\n') + '\n  tempcreds-probe = 1');
  const keys = [...sections.values()].at(-1);
  return keys === undefined || !keys.has('tempcreds-probe');
}

/**
 * How a key line is written: its indentation (each white space character other than a space or
 * tab becomes a space, so that botocore counts the same depth) and its separator when that is `=`
 * with spaces or tabs around it, else ` = `. After `key =` with no value, the spaces after `=` are
 * unknown: those before it are mirrored.
 */
function keyStyle(text: string): { indent: string; sep: string } {
  const depth = Math.max(pyIndent(text), 0);
  const indent = text.slice(0, depth).replace(/[^ \t]/g, ' ');
  const [, sep = '', value = ''] = /^[^=:]*?(\s*[=:]\s*)(.*)$/.exec(text.slice(depth)) ?? [];
  if (!/^[ \t]*=[ \t]*$/.test(sep)) return { indent, sep: ' = ' };
  return { indent, sep: value === '' ? sep.trimEnd() + (/^[ \t]/.test(sep) ? ' ' : '') : sep };
}

/** Replaces lines `[from, to)` with `texts` and checks the result reads as asked in both readers. */
function finish(
  doc: IniDocument,
  section: string,
  values: Record<string, string | null>,
  from: number,
  to: number,
  texts: string[],
): IniDocument {
  const next = splice(doc, from, to, texts);
  verify(next, section, values);
  return next;
}

/**
 * The document with lines `[from, to)` replaced: new lines get the file's line ending (that of its
 * first line), and the file keeps ending with a newline, or without one, as it did.
 */
function splice(doc: IniDocument, from: number, to: number, texts: string[]): IniDocument {
  const eol = doc.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  const endsWithEol = doc.lines.length === 0 || doc.lines.at(-1)?.eol !== '';
  const lines = doc.lines;
  const head = lines.slice(0, from).map((line) => line.text + (line.eol || eol));
  const middle = texts.map((text) => text + eol);
  const tail = lines.slice(to).map((line) => line.text + (line.eol || eol));
  let text = head.join('') + middle.join('') + tail.join('');
  if (!endsWithEol && text.endsWith(eol)) text = text.slice(0, -eol.length);
  return parseIni(text, doc.path);
}

function where(doc: IniDocument): string {
  return doc.path ?? 'INI text';
}

function checkSectionName(doc: IniDocument, section: string): void {
  const header = `[${section}]`;
  if (
    section === '' ||
    section !== pyStrip(section) ||
    section !== section.trim() ||
    /[\r\n]/.test(section)
  ) {
    throw usageError(
      `Cannot write section ${shownName(section)} to ${where(doc)}: a section name must be one line without surrounding spaces.`,
    );
  }
  if (section === 'DEFAULT' || typeof sdkHeader(header) !== 'string') {
    throw usageError(
      `Cannot write section ${shownName(section)} to ${where(doc)}: the AWS CLI or the AWS SDK for JavaScript would not read it as a section.`,
    );
  }
}

function checkKey(doc: IniDocument, section: string, key: string, value: string | null): void {
  if (!/^[a-z0-9_][a-z0-9_-]*$/.test(key)) {
    throw usageError(
      `Cannot write key ${shownName(key)} in [${section}] of ${where(doc)}: keys are written in lower case letters, digits, "_" and "-".`,
    );
  }
  if (value === null) return;
  // The value is a secret more often than not: name the key, never the value.
  const problem =
    value === ''
      ? 'it is empty (the AWS SDK for JavaScript reads "key =" as the start of a nested block; remove the key instead)'
      : value !== value.trim() || value !== pyStrip(value)
        ? 'it starts or ends with white space'
        : pySplitLines(value).length > 1
          ? 'it has a line break'
          : /(^|\s)[#;]/.test(value)
            ? 'it has "#" or ";" after a space, which the AWS SDK for JavaScript reads as a comment'
            : undefined;
  if (problem) {
    throw usageError(`Cannot write ${key} in [${section}] of ${where(doc)}: ${problem}.`);
  }
}

/** The SDK splits lines on `\n` only: a lone `\r` (old Mac line ending) would join lines for it. */
function checkLineEndings(doc: IniDocument): void {
  const index = doc.lines.findIndex((line) => line.eol === '\r');
  if (index >= 0) {
    throw usageError(
      `${where(doc)} line ${index + 1} ends with a lone carriage return (CR), which the AWS SDK for JavaScript does not read as a line break.`,
      `Convert the file to LF or CRLF line endings, e.g. perl -pi -e 's/\\r(?!\\n)/\\n/g' ${doc.path ?? 'FILE'}`,
    );
  }
}

/**
 * The SDK must see the same section: its header read as that header, no line inside it read as
 * another header (an indented `[x]` continues a value for botocore), and the next header read as
 * a header (text after `]` makes the SDK read what follows as part of this section).
 */
function checkSdkBoundaries(doc: IniDocument, section: string, header: number, end: number): void {
  const expected = sdkHeader(`[${section}]`);
  const problem = (index: number, what: string, fix: string): never => {
    throw usageError(
      `${where(doc)} line ${index + 1} ${what}: ${shownLine(doc.lines[index]?.text ?? '')}`,
      fix,
    );
  };
  if (sdkHeader(doc.lines[header]?.text ?? '') !== expected) {
    problem(
      header,
      `is read as [${section}] by the AWS CLI but not by the AWS SDK for JavaScript`,
      `Write the header as [${section}] on a line of its own (a comment may follow after " #").`,
    );
  }
  for (let i = header + 1; i < end; i++) {
    if (sdkHeader(doc.lines[i]?.text ?? '') !== undefined) {
      problem(
        i,
        `is a section header to the AWS SDK for JavaScript but part of a value to the AWS CLI`,
        'Unindent it or remove it.',
      );
    }
  }
  if (end < doc.lines.length && sdkHeader(doc.lines[end]?.text ?? '') === undefined) {
    problem(
      end,
      `is not a section header to the AWS SDK for JavaScript, which would read the settings under it as part of [${section}]`,
      'Remove the text after "]" (or start it with " #").',
    );
  }
}

/** Reads back what was written, as botocore and as the SDK: an edit that would not is refused or a bug. */
function verify(doc: IniDocument, section: string, values: Record<string, string | null>): void {
  const settings = getSection(doc, section) ?? {};
  const sdk = sdkParse(renderIni(doc)).get(sdkHeader(`[${section}]`) ?? '');
  for (const [key, value] of Object.entries(values)) {
    const fromDefault = readModel(doc).defaults.get(key);
    if (value === null && fromDefault && settings[key] !== undefined) {
      const line = fromDefault.lines[0] ?? 0;
      throw usageError(
        `${where(doc)} line ${line + 1} sets ${key} in [DEFAULT], which the AWS CLI reads as part of every section, [${section}] too: ${shownLine(doc.lines[line]?.text ?? '')}`,
        `Move ${key} out of [DEFAULT] into the sections that need it.`,
      );
    }
    if (settings[key] !== (value ?? undefined)) {
      throw new TempcredsError(
        `tempcreds bug: ${key} in [${section}] of ${where(doc)} did not read back as written.`,
        {
          kind: 'failed',
        },
      );
    }
    const read = sdk?.get(key);
    if ((read?.value ?? null) !== value && read) {
      throw usageError(
        `${where(doc)} line ${read.line + 1} is read as ${key} of [${section}] by the AWS SDK for JavaScript, but not by the AWS CLI: ${shownLine(doc.lines[read.line]?.text ?? '')}`,
        'Unindent it or remove it: the two would use different settings.',
      );
    }
    if (value !== null && !read) {
      throw new TempcredsError(
        `tempcreds bug: ${key} in [${section}] of ${where(doc)} would not be read by the AWS SDK for JavaScript.`,
        { kind: 'failed' },
      );
    }
  }
}
