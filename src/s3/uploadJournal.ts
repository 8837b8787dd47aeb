/**
 * The multipart uploads a sync has open, written down while they run, so the next sync to the
 * same place can abort those that a killed run left (S3 keeps them, and bills their parts, until
 * someone aborts them). S3 cannot tell whose an open upload is: ListMultipartUploads shows no
 * metadata, and every tool's uploads look alike. So tempcreds aborts only the uploads it wrote
 * down itself, whose writer is gone (see `writerGone`), never anyone else's.
 *
 * One small file per open upload (`<host>-<pid>-<random>.json`, mode 0600, created exclusively,
 * so no lock is needed and a planted symlink is never followed), in a folder only this user can
 * write; a folder anyone else could write is not trusted, and nothing is written down then.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { thisWriter, writerGone, type Liveness, type Writer } from './leftovers.js';

/**
 * Where the journal lives: `TEMPCREDS_STATE_DIR`, else `$XDG_STATE_HOME/tempcreds`, else
 * `~/.local/state/tempcreds` (state that outlives a run but is no user data), then `s3-uploads`.
 */
export function uploadJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  const state =
    env.TEMPCREDS_STATE_DIR ||
    join(
      env.XDG_STATE_HOME ||
        (process.platform === 'win32' && env.LOCALAPPDATA) ||
        join(env.HOME || homedir(), '.local', 'state'),
      'tempcreds',
    );
  return join(state, 's3-uploads');
}

/** One open upload, as written down. */
export interface JournalEntry extends Writer {
  /** Which S3 (see `s3Scope`): the same bucket name elsewhere is another bucket. */
  scope: string;
  bucket: string;
  key: string;
  uploadId: string;
  /** Epoch ms when the upload was created. */
  createdAt: number;
}

/**
 * How long an open upload of a writer that cannot be asked (another host, a reused pid) stays
 * untouched: a week, the usual AbortIncompleteMultipartUpload rule; a live upload may take a day.
 */
export const UPLOAD_STALE_MS = 7 * 24 * 3600 * 1000;

const ENTRY_FILE = /^[0-9a-f]{8}-\d{1,10}-[0-9a-f]{8}\.json$/;

const getuid = () => process.getuid?.();

/** A folder is trusted when it is a real folder of this user that no one else may write. */
async function trusted(dir: string): Promise<boolean> {
  const stats = await lstat(dir);
  const uid = getuid();
  return stats.isDirectory() && (uid === undefined || (stats.uid === uid && (stats.mode & 0o022) === 0));
}

function parseEntry(text: string): JournalEntry | undefined {
  try {
    const e = JSON.parse(text) as Partial<JournalEntry>;
    const strings = [e.scope, e.bucket, e.key, e.uploadId, e.host].every((v) => typeof v === 'string');
    return strings && Number.isInteger(e.pid) && Number.isFinite(e.createdAt)
      ? (e as JournalEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Reads an entry file that is this user's regular file, never through a symlink. */
async function readEntry(path: string): Promise<JournalEntry | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stats = await handle.stat();
    const uid = getuid();
    if (!stats.isFile() || (uid !== undefined && stats.uid !== uid)) return undefined;
    return parseEntry(await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

/** The journal of one folder, as one writer (this process) sees it. */
export class UploadJournal {
  private constructor(
    private readonly dir: string,
    private readonly writer: Writer,
  ) {}

  /** The journal in `dir` (made 0700 when missing), or undefined when the folder cannot be trusted or made. */
  static async open(dir: string, writer: Writer = thisWriter()): Promise<UploadJournal | undefined> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return (await trusted(dir)) ? new UploadJournal(dir, writer) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes down an upload S3 has just created; the returned function crosses it out again. */
  async record(
    upload: Pick<JournalEntry, 'scope' | 'bucket' | 'key' | 'uploadId'>,
  ): Promise<() => Promise<void>> {
    const { pid, host } = this.writer;
    const path = join(this.dir, `${host}-${pid}-${randomBytes(4).toString('hex')}.json`);
    const entry: JournalEntry = { ...upload, pid, host, createdAt: Date.now() };
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(entry));
    } finally {
      await handle.close();
    }
    return () => unlink(path).catch(() => undefined);
  }

  /**
   * The uploads under `prefix` of a bucket (in `scope`) that a gone writer left open, each with the
   * function that crosses it out. Entries that cannot be read are passed over.
   */
  async leftovers(
    where: { scope: string; bucket: string; prefix: string },
    world: Liveness,
  ): Promise<Array<{ entry: JournalEntry; forget: () => Promise<void> }>> {
    const names = (await readdir(this.dir).catch(() => [])).filter((name) => ENTRY_FILE.test(name));
    const found = await Promise.all(
      names.map(async (name) => {
        const path = join(this.dir, name);
        const entry = await readEntry(path).catch(() => undefined);
        const ours =
          entry?.scope === where.scope && entry.bucket === where.bucket && entry.key.startsWith(where.prefix);
        if (!ours || !writerGone(entry, entry.createdAt, UPLOAD_STALE_MS, world)) return undefined;
        return { entry, forget: () => unlink(path).catch(() => undefined) };
      }),
    );
    return found.filter((f) => f !== undefined);
  }
}
