import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkLocal, type WalkWarning } from '../../../src/s3/localWalk.js';
import { compareKeys } from '../../../src/s3/keyOrder.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tempcreds-walk-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function put(key: string, content = 'x') {
  const path = join(root, ...key.split('/'));
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

async function keys(options: Parameters<typeof walkLocal>[1] = {}) {
  const out: string[] = [];
  for await (const entry of walkLocal(root, options)) out.push(entry.key);
  return out;
}

describe('walkLocal', () => {
  it('yields files in S3 byte order across folder boundaries', async () => {
    const names = [
      'a/b',
      'a-b',
      'a.b',
      'a0',
      'a/c/d',
      'a/c-d',
      'b',
      'A',
      'a b',
      'é',
      'e\u0301',
      'z/\u{1F600}',
      'z/\uE000',
      'ab/x',
      'a+b',
      'a%b',
      'a#b',
      'a?b',
    ];
    for (const n of names) await put(n);
    const walked = await keys();
    expect(walked).toEqual([...names].sort(compareKeys));
    // The order that needs care: in bytes "-" < "." < "/" < "0", so the folder "a/" sorts between "a.b" and "a0".
    expect(walked.slice(walked.indexOf('a-b'), walked.indexOf('a0') + 1)).toEqual([
      'a-b',
      'a.b',
      'a/b',
      'a/c-d',
      'a/c/d',
      'a0',
    ]);
  });

  it('keeps names as they are on disk: NFC and NFD are two keys', async () => {
    await put('caf\u00e9');
    await put('cafe\u0301');
    expect(await keys()).toEqual(['cafe\u0301', 'caf\u00e9']);
  });

  it('reports size and mtime, and the path to read', async () => {
    const path = await put('dir/f.txt', 'hello');
    await utimes(path, 1_700_000_000, 1_700_000_000);
    const entries = [];
    for await (const entry of walkLocal(root)) entries.push(entry);
    expect(entries[0]).toEqual({ key: 'dir/f.txt', size: 5, lastModified: 1_700_000_000_000, path });
  });

  it('includes empty files and leaves empty folders out', async () => {
    await put('empty', '');
    await mkdir(join(root, 'nothing/inside'), { recursive: true });
    expect(await keys()).toEqual(['empty']);
  });

  it('follows symlinks to files and folders by default, and skips them with followSymlinks false', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tempcreds-walk-target-'));
    try {
      await writeFile(join(outside, 'in-linked-dir'), 'y');
      await put('real', 'abc');
      await symlink(join(root, 'real'), join(root, 'link-to-file'));
      await symlink(outside, join(root, 'link-to-dir'));
      expect(await keys()).toEqual(['link-to-dir/in-linked-dir', 'link-to-file', 'real']);
      expect(await keys({ followSymlinks: false })).toEqual(['real']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('skips a broken symlink with a warning', async () => {
    await put('ok');
    await symlink(join(root, 'missing'), join(root, 'broken'));
    const warnings: WalkWarning[] = [];
    expect(await keys({ onWarning: (w) => warnings.push(w) })).toEqual(['ok']);
    expect(warnings).toEqual([{ path: join(root, 'broken'), message: 'File does not exist.' }]);
  });

  it('stops at a symlink loop with a warning instead of recursing forever', async () => {
    await put('d/f');
    await symlink(join(root, 'd'), join(root, 'd', 'again'));
    const warnings: WalkWarning[] = [];
    expect(await keys({ onWarning: (w) => warnings.push(w) })).toEqual(['d/f']);
    expect(warnings[0]?.message).toMatch(/loop/);
  });

  it('skips FIFOs with a warning, as the AWS CLI does', async () => {
    await put('ok');
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const warnings: WalkWarning[] = [];
    expect(await keys({ onWarning: (w) => warnings.push(w) })).toEqual(['ok']);
    expect(warnings[0]?.message).toMatch(/FIFO/);
  });

  it('skips names that are not UTF-8 with a warning', async () => {
    await put('ok');
    await writeFile(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
    const warnings: WalkWarning[] = [];
    expect(await keys({ onWarning: (w) => warnings.push(w) })).toEqual(['ok']);
    expect(warnings[0]?.message).toMatch(/UTF-8/);
  });

  it('never lists the temporary files of downloads in progress', async () => {
    await put('a');
    await put('.tempcreds-0123456789abcdef.part');
    await put('.tempcreds-not-ours.part');
    expect(await keys()).toEqual(['.tempcreds-not-ours.part', 'a']);
  });

  it('walks lazily: the first file comes before deep folders are read', async () => {
    await put('a');
    for (let i = 0; i < 50; i++) await put(`z/${i}/f`);
    const walk = walkLocal(root);
    expect((await walk.next()).value?.key).toBe('a');
    await walk.return(undefined);
  });
});
