import { getSection, parseIni, readModel, renderIni, type IniDocument, type IniLine } from './ini.js';
import { checkKey, checkLineEndings, checkSdkBoundaries, checkSectionName, verify } from './iniChecks.js';
import { sdkHeader, sdkParse } from './jsSdkIni.js';
import { pyIndent } from './pyText.js';

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
  const header = readModel(doc).headers.get(section);
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
  const header = readModel(doc).headers.get(section);
  if (header === undefined) return doc;
  const end = sectionEnd(doc, header);
  const last = lastSetting(doc.lines.slice(header, end).map((line) => line.text)) + header;
  const isBlank = (i: number) => doc.lines[i]?.kind === 'blank';
  // Do not leave two blank lines where the section stood between two.
  let [from, to] = [header, last + 1];
  if (isBlank(to) && (from === 0 || isBlank(from - 1))) to++;
  else if (to === doc.lines.length && isBlank(from - 1)) from--;
  return splice(doc, from, to, []).next;
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
  const model = readModel(parseIni(block.texts.join('\n')));
  const [name] = model.headers.keys();
  return name === undefined ? undefined : model.section(name)?.keys.get(key)?.lines;
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
  const { next, block } = splice(doc, from, to, texts);
  // The block holds the whole section; with [DEFAULT] keys, its settings are the full document's.
  const settings =
    (readModel(doc).defaults.size > 0 ? getSection(next, section) : getSection(block, section)) ?? {};
  const sdk = sdkParse(renderIni(block)).get(sdkHeader(`[${section}]`) ?? '');
  verify(doc, next, section, values, settings, sdk, from);
  return next;
}

/**
 * The document with lines `[from, to)` replaced: new lines get the file's line ending (that of its
 * first line), and the file keeps ending with a newline, or without one, as it did. Only the new
 * lines are parsed (files can be megabytes), except where a [DEFAULT] section (whose nested keys
 * every section reads) or an indentation next to them could change how other lines read: then the
 * whole text is parsed again. Returns the new document and the new lines as a document of their own.
 */
function splice(
  doc: IniDocument,
  from: number,
  to: number,
  texts: string[],
): { next: IniDocument; block: IniDocument } {
  const eol = doc.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  const endsWithEol = doc.lines.length === 0 || doc.lines.at(-1)?.eol !== '';
  const atEnd = to === doc.lines.length;
  let blockText = texts.map((text) => text + eol).join('');
  if (atEnd && !endsWithEol) blockText = blockText.slice(0, -eol.length);
  const block = parseIni(blockText, doc.path);
  const head = doc.lines.slice(0, from);
  const last = head.at(-1);
  if (last && last.eol === '') head[head.length - 1] = { ...last, eol };
  const tail = doc.lines.slice(to);
  const delta = block.lines.length - (to - from);
  const shift = (line: IniLine, by: number): IniLine =>
    line.kind === 'continuation' ? { ...line, owner: line.owner + by } : line;
  const lines = [
    ...head,
    ...block.lines.map((line) => shift(line, from)),
    ...tail.map((line) => shift(line, delta)),
  ];
  const final = lines.at(-1);
  if (final && !endsWithEol && final.eol !== '') lines[lines.length - 1] = { ...final, eol: '' };
  if (readModel(doc).defaults.size > 0 || continues(block, tail[0])) {
    return { next: parseIni(lines.map((line) => line.text + line.eol).join(''), doc.path), block };
  }
  return { next: { path: doc.path, lines }, block };
}

/** True when botocore would read `next` (the line after the block) as a continuation of the block's last key. */
function continues(block: IniDocument, next: IniLine | undefined): boolean {
  if (!next) return false;
  const lastKey = block.lines.findLast((line) => line.kind === 'key' || line.kind === 'section');
  return lastKey?.kind === 'key' && pyIndent(next.text) > lastKey.indent;
}
