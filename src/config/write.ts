import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TempcredsError, usageError } from '../errors.js';
import { parseIni, renderIni, type IniDocument } from './ini.js';
import { setValues } from './iniEdit.js';
import { configSectionName, type AwsFiles } from './paths.js';
import { readIniText } from './read.js';

/** Options of {@link updateIniFile}. */
export interface UpdateIniFileOptions {
  /** Mode of the written file; default 0600, because these files hold secrets. */
  mode?: number;
}

/**
 * Edits an INI file safely: under a lock shared with other tempcreds processes, reads it
 * (missing = empty), parses it (a malformed file throws a usage error and is left untouched),
 * applies `edit` (which returns the new document, see {@link setValues}), and replaces the file
 * atomically (temporary file, fsync, rename), so no reader ever sees half a file. Nothing is
 * written when the text does not change. A new parent directory is created with mode 0700.
 */
export async function updateIniFile(
  path: string,
  edit: (doc: IniDocument) => IniDocument,
  options: UpdateIniFileOptions = {},
): Promise<void> {
  // Loaded here, not at start-up: most commands never write these files.
  const [{ lock }, { default: writeFileAtomic }] = await Promise.all([
    import('proper-lockfile'),
    import('write-file-atomic'),
  ]);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let compromised: Error | undefined;
  const release = await lock(path, {
    // The file may not exist yet, so lock the path as given.
    realpath: false,
    // Each holder keeps the lock for milliseconds, so waiters poll often (long sleeps would leave
    // the lock idle) and patiently: 20 to 40 s in all, longer than `stale`.
    retries: { retries: 200, factor: 1.5, minTimeout: 10, maxTimeout: 100, randomize: true },
    stale: 10_000,
    // proper-lockfile's default throws from a timer, which would crash the process.
    onCompromised: (err) => (compromised = err),
  }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    throw new TempcredsError(`Another process has held the lock on ${path} for too long.`, {
      kind: 'failed',
      fix: `Retry; if no tempcreds is running, remove ${path}.lock`,
      cause: err,
    });
  });
  try {
    const before = await readIniText(path);
    const after = renderIni(edit(parseIni(before, path)));
    if (after === before) return;
    if (compromised)
      throw new TempcredsError(`Lost the lock on ${path}; nothing written.`, { kind: 'failed' });
    // The temporary file is chmod-ed to `mode` before it replaces the old one, so an existing
    // file that was world-readable ends up 0600 too.
    await writeFileAtomic(path, after, { mode: options.mode ?? 0o600, fsync: true });
  } finally {
    await release().catch(() => undefined);
  }
}

/** The changes {@link writeProfile} makes; `null` removes a key. */
export interface ProfileChanges {
  /** Keys for `[NAME]` of the credentials file (`aws_access_key_id`, ...). */
  credentials?: Record<string, string | null>;
  /** Keys for `[profile NAME]` (or `[default]`) of the config file (`region`, `role_arn`, ...). */
  config?: Record<string, string | null>;
}

/**
 * Writes one profile's settings into the right section of each file: credentials into `[NAME]`
 * of the credentials file, config into `[profile NAME]` of the config file, never into
 * `[default]` unless NAME is `default` (unlike the runbook's `aws configure set default.region`).
 * A file with no changes for it is not touched.
 */
export async function writeProfile(files: AwsFiles, profile: string, changes: ProfileChanges): Promise<void> {
  // botocore splits `[profile a b]` on whitespace and would never find such a profile.
  if (/\s/.test(profile)) {
    throw usageError(
      `"${profile.trim()}" cannot be a profile name: it contains a space.`,
      'Use a name like target-role-profile.',
    );
  }
  const edits: Array<[string, string, Record<string, string | null> | undefined]> = [
    [files.credentialsFile, profile, changes.credentials],
    [files.configFile, configSectionName(profile), changes.config],
  ];
  for (const [path, section, values] of edits) {
    if (values && Object.keys(values).length > 0) {
      await updateIniFile(path, (doc) => setValues(doc, section, values));
    }
  }
}
