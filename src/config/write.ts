import { removeAbandonedTemps, writeAtomically } from './atomicWrite.js';
import { usageError } from '../errors.js';
import { lockFile, type FileLock } from './fileLock.js';
import { parseIni, renderIni, type IniDocument } from './ini.js';
import type { AwsFiles } from './paths.js';
import { planProfileWrite, type ProfileChanges, type RemovedSettings } from './profileWrite.js';
import { readIniText } from './read.js';
import { octal, writeTarget, type WriteTarget } from './safeFile.js';

export type { ProfileChanges, RemovedSettings } from './profileWrite.js';

/** Options of {@link updateIniFile}. */
export interface UpdateIniFileOptions {
  /** Mode of the written file; default 0600, because these files hold secrets. */
  mode?: number;
}

/** What a write did besides writing: things the user should hear about. */
export interface WriteReport {
  /** One line each, e.g. a file that other users could read and that is private now. */
  warnings: string[];
}

/**
 * Edits INI files safely. Each path is resolved (symbolic links are written through; a file or
 * folder another local user could have written is refused, as ssh refuses it), its real file
 * locked (in one order, so that two writers of the same files never wait for each other), read (missing = empty) and parsed (a
 * file the AWS CLI cannot read throws a usage error and is left untouched). `edit` gets the
 * documents in the order of `paths` and returns the new ones. Each changed file is replaced
 * atomically (temporary file, fsync, rename) with mode 0600; an unchanged one is not touched.
 * Temporary files that a killed tempcreds left beside a file are removed first.
 */
export async function updateIniFiles(
  paths: string[],
  edit: (docs: IniDocument[]) => IniDocument[],
  options: UpdateIniFileOptions = {},
): Promise<WriteReport> {
  const targets: WriteTarget[] = [];
  for (const path of paths) targets.push(await writeTarget(path));
  const same = targets.find((t, i) => targets.findIndex((u) => u.target === t.target) !== i);
  if (same) {
    throw usageError(
      `${paths.join(' and ')} are the same file (${same.target}); tempcreds writes them as two files.`,
      'Point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at two different files.',
    );
  }
  const locks: FileLock[] = [];
  try {
    for (const { path, target } of [...targets].sort((a, b) => (a.target < b.target ? -1 : 1))) {
      locks.push(await lockFile(target, { shownPath: path }));
    }
    const texts = await Promise.all(
      targets.map(async ({ target }) => {
        await removeAbandonedTemps(target);
        return readIniText(target);
      }),
    );
    const before = texts.map((text, i) => parseIni(text, paths[i]));
    const after = edit(before).map(renderIni);
    const warnings: string[] = [];
    const mode = options.mode ?? 0o600;
    for (const [i, { path, target, existing }] of targets.entries()) {
      if (after[i] === texts[i]) continue;
      const opened = existing ? existing.mode & 0o077 & ~mode : 0;
      if (opened !== 0 && holdsSecrets(before[i] as IniDocument)) {
        warnings.push(
          `${path} was open to other users (mode ${octal(existing?.mode ?? 0)}) and holds secret keys; it is ${octal(mode)} now. If others use this machine, rotate those keys.`,
        );
      }
      const verifyLocks = () => Promise.all(locks.map((lock) => lock.verify())).then(() => undefined);
      await writeAtomically(target, after[i] ?? '', mode, verifyLocks, path);
    }
    return { warnings };
  } finally {
    for (const lock of locks.reverse()) await lock.release().catch(() => undefined);
  }
}

const SECRETS = new Set(['aws_secret_access_key', 'aws_session_token', 'aws_security_token']);

/** True when a file holds a secret: a file other users could read is worth a warning then. */
function holdsSecrets(doc: IniDocument): boolean {
  return doc.lines.some((line) => line.kind === 'key' && SECRETS.has(line.key.toLowerCase()));
}

/** {@link updateIniFiles} for one file. */
export async function updateIniFile(
  path: string,
  edit: (doc: IniDocument) => IniDocument,
  options: UpdateIniFileOptions = {},
): Promise<WriteReport> {
  return updateIniFiles([path], ([doc]) => [edit(doc as IniDocument)], options);
}

/** What {@link writeProfile} did besides writing what it was asked to. */
export interface ProfileWriteReport extends WriteReport {
  /** Settings removed because the AWS tools would otherwise not use what was written. */
  removed: RemovedSettings[];
}

/**
 * Writes one profile into both files, as {@link planProfileWrite} plans it (what goes where,
 * what is removed, what is refused), under the locks of both files. A file with no changes
 * is not touched. Returns what was removed and what to warn about.
 */
export async function updateProfile(
  files: AwsFiles,
  profile: string,
  changes: ProfileChanges,
): Promise<ProfileWriteReport> {
  let removed: RemovedSettings[] = [];
  const paths = [files.credentialsFile, files.configFile];
  const report = await updateIniFiles(paths, ([credentials, config]) => {
    const plan = planProfileWrite(
      { credentials: credentials as IniDocument, config: config as IniDocument },
      profile,
      changes,
    );
    removed = plan.removed;
    return [plan.credentials, plan.config];
  });
  return { ...report, removed };
}

/** The report as lines to show the user: what was removed and why, then the warnings. */
export function reportLines(report: ProfileWriteReport): string[] {
  return [
    ...report.removed.map(
      (r) => `Removed ${r.keys.join(', ')} from [${r.section}] of ${r.path ?? r.file}: ${r.reason}.`,
    ),
    ...report.warnings,
  ];
}

/** {@link updateProfile}, for callers that need no report. */
export async function writeProfile(files: AwsFiles, profile: string, changes: ProfileChanges): Promise<void> {
  await updateProfile(files, profile, changes);
}
