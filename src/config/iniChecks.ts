/** What setValues refuses, and its read-back check. */
import { TempcredsError, usageError } from '../errors.js';
import { readModel, type IniDocument } from './ini.js';
import { sdkHeader, type SdkKey } from './jsSdkIni.js';
import { pySplitLines, pyStrip } from './pyText.js';
import { shownLine, shownName } from './shown.js';

export function where(doc: IniDocument): string {
  return doc.path ?? 'INI text';
}

export function checkSectionName(doc: IniDocument, section: string): void {
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

export function checkKey(doc: IniDocument, section: string, key: string, value: string | null): void {
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
export function checkLineEndings(doc: IniDocument): void {
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
export function checkSdkBoundaries(doc: IniDocument, section: string, header: number, end: number): void {
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

/**
 * Reads back what was written, as botocore (`settings`: the section after the edit) and as the SDK
 * (`sdk`: its keys of the section, read from the section's own lines, which the boundary checks
 * make exact): an edit that would not read back as asked is refused, or a bug.
 */
export function verify(
  before: IniDocument,
  doc: IniDocument,
  section: string,
  values: Record<string, string | null>,
  settings: Record<string, string>,
  sdk: Map<string, SdkKey> | undefined,
  lineOffset: number,
): void {
  // [DEFAULT] is never edited: the document before the edit has the same.
  const defaults = readModel(before).defaults;
  for (const [key, value] of Object.entries(values)) {
    const fromDefault = defaults.get(key);
    if (value === null && fromDefault && settings[key] !== undefined) {
      const line = fromDefault.lines[0] ?? 0;
      throw usageError(
        `${where(doc)} line ${line + 1} sets ${key} in [DEFAULT], which the AWS CLI reads as part of every section, [${section}] too: ${shownLine(before.lines[line]?.text ?? '')}`,
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
    if (read && read.value !== value) {
      // The line is one the edit left as it was: named by its number in the file as it is.
      const text = doc.lines[read.line + lineOffset]?.text ?? '';
      const line = before.lines.findIndex((l, i) => i >= lineOffset && l.text === text);
      throw usageError(
        `${where(doc)} line ${(line < 0 ? read.line + lineOffset : line) + 1} is read as ${key} of [${section}] by the AWS SDK for JavaScript, but not by the AWS CLI: ${shownLine(text)}`,
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
