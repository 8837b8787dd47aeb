import { chmod, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hostTag,
  partFileName,
  partFileWriter,
  PART_FILE,
  PART_FILE_STALE_MS,
  removeLeftoverPartFile,
  writerGone,
  type Liveness,
} from '../../../src/s3/leftovers.js';
import { isRunning } from '../../../src/config/liveProcess.js';
import { walkLocal } from '../../../src/s3/localWalk.js';
import { UploadJournal, uploadJournalDir, UPLOAD_STALE_MS } from '../../../src/s3/uploadJournal.js';

const HOUR = 3600 * 1000;
const NOW = Date.UTC(2026, 11, 1);
const HERE = hostTag('this-host');
const ALIVE = 100;
const DEAD = 200;
/** This host, where pid 100 is alive and 200 is not. */
const world: Liveness = { self: { pid: 1, host: HERE }, isAlive: (pid) => pid === ALIVE, now: NOW };

describe('temporary download names', () => {
  it('are signed with pid and host, and read back', () => {
    const name = partFileName({ pid: 4242, host: HERE });
    expect(name).toMatch(new RegExp(`^\\.tempcreds-4242-${HERE}-[0-9a-f]{16}\\.part$`));
    expect(PART_FILE.test(name)).toBe(true);
    expect(partFileWriter(name)).toEqual({ pid: 4242, host: HERE });
    expect(partFileName({ pid: 4242, host: HERE })).not.toBe(name);
  });

  it.each([
    ['.tempcreds-0123456789abcdef.part', true, undefined],
    ['.tempcreds-12-0a1b2c3d-0123456789abcdef.part', true, { pid: 12, host: '0a1b2c3d' }],
    ['.tempcreds-not-ours.part', false, undefined],
    ['.tempcreds-12-0a1b2c3d-0123456789abcdef.part.txt', false, undefined],
    ['tempcreds-0123456789abcdef.part', false, undefined],
    ['.tempcreds-12-XYZ-0123456789abcdef.part', false, undefined],
  ])('%s: ours %s, writer %j', (name, ours, writer) => {
    expect(PART_FILE.test(name)).toBe(ours);
    expect(partFileWriter(name)).toEqual(writer);
  });

  it('host tags are 8 hex digits, one per name', () => {
    expect(hostTag('a')).toMatch(/^[0-9a-f]{8}$/);
    expect(hostTag('a')).not.toBe(hostTag('b'));
  });

  it('isRunning (what the world uses): this process is, a pid that cannot exist is not', () => {
    expect(isRunning(process.pid)).toBe(true);
    expect(isRunning(2 ** 31 - 2)).toBe(false);
  });
});

describe('writerGone', () => {
  const fresh = NOW - HOUR;
  const old = NOW - PART_FILE_STALE_MS - HOUR;
  it.each([
    ['a dead process of this host', { pid: DEAD, host: HERE }, fresh, true],
    ['a live process of this host, touched lately', { pid: ALIVE, host: HERE }, fresh, false],
    ['a live pid of this host, untouched for long (a reused pid)', { pid: ALIVE, host: HERE }, old, true],
    [
      'another host, touched lately (its pid means nothing here)',
      { pid: DEAD, host: 'ffffffff' },
      fresh,
      false,
    ],
    ['another host, untouched for long', { pid: DEAD, host: 'ffffffff' }, old, true],
    ['unsigned, touched lately', undefined, fresh, false],
    ['unsigned, untouched for long', undefined, old, true],
  ])('%s: %s', (_, writer, touched, gone) => {
    expect(writerGone(writer, touched, PART_FILE_STALE_MS, world)).toBe(gone);
  });
});

describe('removeLeftoverPartFile and the walk', () => {
  let dir: string;
  beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), 'tempcreds-leftovers-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const put = async (name: string, ageMs = 0) => {
    const path = join(dir, name);
    await writeFile(path, 'x');
    if (ageMs) await utimes(path, (NOW - ageMs) / 1000, (NOW - ageMs) / 1000);
    return path;
  };

  it('removes what a gone writer left; keeps a live writer`s, a user`s file and a symlink', async () => {
    const dead = `.tempcreds-${DEAD}-${HERE}-0123456789abcdef.part`;
    const live = `.tempcreds-${ALIVE}-${HERE}-0123456789abcdef.part`;
    const oldUnsigned = '.tempcreds-00000000000000ff.part';
    const newUnsigned = '.tempcreds-00000000000000ee.part';
    for (const name of [dead, live, newUnsigned]) await put(name, HOUR);
    await put(oldUnsigned, PART_FILE_STALE_MS + HOUR);
    await put('.tempcreds-notes.part');
    const target = await put('target');
    const linked = `.tempcreds-${DEAD}-${HERE}-00000000000000aa.part`;
    await symlink(target, join(dir, linked));
    const removed: string[] = [];
    for (const name of [dead, live, oldUnsigned, newUnsigned, '.tempcreds-notes.part', linked]) {
      if (await removeLeftoverPartFile(join(dir, name), name, world)) removed.push(name);
    }
    expect(removed.sort()).toEqual([dead, oldUnsigned].sort());
    expect((await readdir(dir)).sort()).toEqual(
      ['.tempcreds-notes.part', linked, live, newUnsigned, 'target'].sort(),
    );
  });

  it('a file that is gone already is not an error', async () => {
    const name = `.tempcreds-${DEAD}-${HERE}-0123456789abcdef.part`;
    expect(await removeLeftoverPartFile(join(dir, name), name, world)).toBe(false);
  });

  it('the walk never lists tempcreds` temporary files, in any folder, and tells them', async () => {
    const name = partFileName({ pid: DEAD, host: HERE });
    await mkdir(join(dir, 'sub'));
    await put('a');
    await put(join('sub', name));
    await put('.tempcreds-0123456789abcdef.part');
    const told: string[] = [];
    const keys: string[] = [];
    for await (const entry of walkLocal(dir, { onPartFile: (_path, n) => told.push(n) }))
      keys.push(entry.key);
    expect(keys).toEqual(['a']);
    expect(told.sort()).toEqual(['.tempcreds-0123456789abcdef.part', name].sort());
  });
});

describe('UploadJournal', () => {
  let dir: string;
  beforeEach(
    async () => void (dir = join(await mkdtemp(join(tmpdir(), 'tempcreds-journal-')), 's3-uploads')),
  );
  afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));
  const upload = (key: string, uploadId = `id-${key}`) => ({
    scope: 'http://s3/',
    bucket: 'b',
    key,
    uploadId,
  });
  const where = { scope: 'http://s3/', bucket: 'b', prefix: 'p/' };
  // Entries carry the real time they were written.
  const today = (): Liveness => ({ ...world, now: Date.now() });

  it('finds a gone writer`s uploads under the prefix, in the same S3 and bucket; forgetting removes the entry', async () => {
    const gone = (await UploadJournal.open(dir, { pid: DEAD, host: HERE }))!;
    await gone.record(upload('p/a.bin'));
    await gone.record(upload('q/b.bin'));
    await gone.record({ ...upload('p/c.bin'), bucket: 'other' });
    await gone.record({ ...upload('p/d.bin'), scope: 'http://elsewhere/' });
    const live = (await UploadJournal.open(dir, { pid: ALIVE, host: HERE }))!;
    const forgetLive = await live.record(upload('p/live.bin'));

    const found = await live.leftovers(where, today());
    expect(found.map((f) => f.entry.key)).toEqual(['p/a.bin']);
    expect(found[0]!.entry).toMatchObject({ uploadId: 'id-p/a.bin', pid: DEAD, host: HERE });
    await found[0]!.forget();
    expect(await live.leftovers(where, today())).toEqual([]);
    expect(await readdir(dir)).toHaveLength(4);
    await forgetLive();
    expect(await readdir(dir)).toHaveLength(3);
  });

  it('another host`s upload is taken for gone only after a week', async () => {
    const elsewhere = (await UploadJournal.open(dir, { pid: ALIVE, host: 'ffffffff' }))!;
    await elsewhere.record(upload('p/a.bin'));
    const inAWeek = { ...world, now: Date.now() + UPLOAD_STALE_MS + HOUR };
    expect(await elsewhere.leftovers(where, today())).toEqual([]);
    expect((await elsewhere.leftovers(where, inAWeek)).map((f) => f.entry.key)).toEqual(['p/a.bin']);
  });

  it('writes entries 0600 in a 0700 folder, and never through a planted symlink', async () => {
    const journal = (await UploadJournal.open(dir, { pid: DEAD, host: HERE }))!;
    await journal.record(upload('p/a.bin'));
    const [name] = await readdir(dir);
    const { stat } = await import('node:fs/promises');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, name!))).mode & 0o777).toBe(0o600);
    // A symlink named like an entry, pointing at a valid-looking entry elsewhere: not read.
    const planted = join(dir, '..', 'planted.json');
    await writeFile(planted, JSON.stringify({ ...upload('p/x.bin'), pid: DEAD, host: HERE, createdAt: 0 }));
    await symlink(planted, join(dir, `${HERE}-${DEAD}-abcdef01.json`));
    expect((await journal.leftovers(where, today())).map((f) => f.entry.key)).toEqual(['p/a.bin']);
  });

  it('a folder others may write is not trusted: nothing is written down there', async () => {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777);
    expect(await UploadJournal.open(dir)).toBeUndefined();
  });

  it('a corrupt entry is passed over', async () => {
    const journal = (await UploadJournal.open(dir, { pid: DEAD, host: HERE }))!;
    await writeFile(join(dir, `${HERE}-${DEAD}-00000000.json`), '{"bucket": "b"', { mode: 0o600 });
    expect(await journal.leftovers(where, today())).toEqual([]);
  });

  it('lives in TEMPCREDS_STATE_DIR, else XDG_STATE_HOME, else ~/.local/state', () => {
    expect(uploadJournalDir({ TEMPCREDS_STATE_DIR: '/s', HOME: '/h' })).toBe('/s/s3-uploads');
    expect(uploadJournalDir({ XDG_STATE_HOME: '/x', HOME: '/h' })).toBe('/x/tempcreds/s3-uploads');
    expect(uploadJournalDir({ HOME: '/h' })).toBe('/h/.local/state/tempcreds/s3-uploads');
  });
});
