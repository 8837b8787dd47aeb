/** The shape of a parsed INI file, shared by the parser (ini.ts) and the reading side (iniModel.ts). */

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
  /** A line indented deeper than the key before it: part of that key's value (see getSection in iniModel.ts). */
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
  /** One entry per line of the file, in order; rendering them gives back the original bytes. */
  readonly lines: readonly IniLine[];
}
