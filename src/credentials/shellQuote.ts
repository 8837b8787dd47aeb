import { TempcredsError } from '../errors.js';

/**
 * Quoting of one value for each shell. Real AWS credentials are base64-like and need none of this;
 * the rules exist so that a hostile or corrupted value can never run as code. Where a shell cannot
 * hold a character safely the value is refused, never written approximately.
 *
 * Every shell form refuses control characters (C0 including NUL and newline, DEL, C1) and unpaired
 * UTF-16 surrogates: no shell variable can hold NUL, a newline would break the one-line-per-variable
 * output that people paste, `eval` and grep, and control characters printed to a terminal are
 * commands to the terminal.
 */

/** Control characters (`Cc`: C0, DEL, C1) and unpaired surrogates (`Cs`, which UTF-8 cannot encode). */
const CONTROL = /\p{Cc}|\p{Cs}/u;
const CMD_UNSAFE = /[%!"]/;
/** Values made only of these are written bare in dotenv: every key, token, timestamp and region AWS issues. */
const DOTENV_BARE = /^[A-Za-z0-9+/=._:@,-]*$/;
/** The single-quote characters of PowerShell: ' and the typographic ‘ ’ ‚ ‛. */
const POWERSHELL_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

function describe(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return /\p{L}|\p{N}|\p{P}|\p{S}/u.test(char) ? `${char} (${hex})` : hex;
}

/** Throws when `value` contains a character of `unsafe`. Names the variable and the character, never the value. */
function refuseMatch(value: string, unsafe: RegExp, shell: string, name: string, why: string): void {
  const found = unsafe.exec(value);
  if (found) {
    throw new TempcredsError(`${name} contains ${describe(found[0])}, which ${shell} ${why}.`, {
      kind: 'failed',
      fix: 'Use --format json (or another format) instead.',
    });
  }
}

/** Assigning an empty value deletes the variable in cmd.exe and in Windows PowerShell (5.1). */
function refuseEmpty(value: string, shell: string, name: string): void {
  if (value === '') {
    throw new TempcredsError(`${name} is empty, and ${shell} deletes a variable set to an empty value.`, {
      kind: 'failed',
      fix: 'Use --format json (or another format) instead.',
    });
  }
}

function refuseControls(value: string, shell: string, name: string): void {
  refuseMatch(value, CONTROL, shell, name, 'cannot hold safely on one line');
}

/**
 * POSIX shells (sh, bash, zsh, `env`): `'...'`, in which nothing is special but `'` itself, written
 * as `'\''` (close, escaped quote, reopen). Also correct under zsh's RC_QUOTES.
 */
export function posixQuote(value: string, name: string): string {
  refuseControls(value, 'a POSIX shell', name);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** fish: `'...'`, in which only `\\` and `\'` are escapes, so `\` and `'` are escaped with a backslash. */
export function fishQuote(value: string, name: string): string {
  refuseControls(value, 'fish', name);
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

/**
 * PowerShell: `'...'`, in which nothing expands; a quote is written twice. PowerShell takes the
 * typographic quotes U+2018, U+2019, U+201A and U+201B for `'` too, so they are doubled as well
 * (a doubled quote character stands for itself). An empty value is refused: it deletes the variable.
 */
export function powershellQuote(value: string, name: string): string {
  refuseControls(value, 'PowerShell', name);
  refuseEmpty(value, 'PowerShell', name);
  return `'${value.replace(POWERSHELL_QUOTES, '$&$&')}'`;
}

/**
 * cmd.exe: the whole assignment in double quotes, `set "NAME=value"`, which keeps `& | < > ^ ( )`
 * literal and leaves no trailing space in the value. Refused, because no single spelling is right
 * everywhere:
 * - `%`: a batch file needs `%%`, an interactive prompt has no reliable escape;
 * - `!`: expanded when delayed expansion is on (`cmd /V:ON`, `setlocal EnableDelayedExpansion`),
 *   which also eats `^` on that line; literal otherwise;
 * - `"`: ends the quoted region, after which `&` and `|` run commands;
 * - an empty value: `set "NAME="` deletes the variable.
 */
export function cmdSetAssignment(name: string, value: string): string {
  refuseControls(value, 'cmd.exe', name);
  refuseEmpty(value, 'cmd.exe', name);
  refuseMatch(
    value,
    CMD_UNSAFE,
    'cmd.exe',
    name,
    'cannot hold safely (% and ! may expand, " ends the quoting)',
  );
  return `set "${name}=${value}"`;
}

/**
 * dotenv, read back exactly by python-dotenv, the `dotenv` npm package and systemd's
 * `EnvironmentFile=` (each tested as a reader). Their rules differ: python-dotenv turns `${NAME}` into
 * a variable in any quoting and `\\` into `\` even in single quotes; npm's dotenv decodes no escape
 * but `\n` and `\r`, in double quotes only; systemd decodes `\"`, `\\`, `` \` `` and `\$` in double
 * quotes and backslashes in bare values. So:
 * - bare when the value is only `A-Z a-z 0-9 + / = . _ : @ , -` (every key, token, time and region
 *   AWS issues): then `docker --env-file`, which takes the rest of the line as it is, agrees too;
 * - else `'...'` when it has no `'` and no `\\`: nothing else in single quotes is special to any of them;
 * - else `"..."` when it has none of `"`, `\` and `$` (docker compose interpolates `$` there);
 * - anything else is refused, as are control characters (a value is one line), `${`, and a `\` at
 *   the end (python-dotenv takes `\'` for an escaped quote and reads on into the next lines).
 * Quoted values reach `docker --env-file` with their quotes: it processes none.
 */
export function dotenvQuote(value: string, name: string): string {
  refuseMatch(value, CONTROL, 'a .env file', name, 'cannot hold on one line');
  refuseMatch(value, /\$\{/, 'a .env file', name, 'cannot hold: python-dotenv expands ${...} in any quoting');
  if (DOTENV_BARE.test(value)) return value;
  refuseMatch(
    value,
    /\\$/,
    'a .env file',
    name,
    "cannot end with: python-dotenv reads \\' as an escaped quote",
  );
  if (!value.includes("'") && !value.includes('\\\\')) return `'${value}'`;
  refuseMatch(
    value,
    /["\\$]/,
    'a .env file',
    name,
    "cannot hold beside ' (the dotenv readers agree on no escape for it)",
  );
  return `"${value}"`;
}
