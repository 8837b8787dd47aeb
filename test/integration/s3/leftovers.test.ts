/**
 * What a killed `s3 sync` leaves, and the next sync of the same place cleaning it up (issue 8):
 * the CLI as a child process, killed with SIGKILL mid-transfer, then run again. Only tempcreds'
 * own leftovers whose writer is gone are touched; a live writer's and anyone else's stay.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTag, PART_FILE } from '../../../src/s3/leftovers.js';
import { CLI, runCli } from '../../support/cli.js';
import { startSlowLink, type SlowLink } from './slowLink.js';
import { bytes, folder, md5, readTree, removeFolder, startS3World, type S3World } from './world.js';

const MiB = 1024 * 1024;
let world: S3World;
let link: SlowLink;
beforeAll(async () => {
  world = await startS3World();
  // Every S3 request held 300 ms: a transfer of a few parts takes seconds, time to kill it.
  link = await startSlowLink(world.aws.endpoint, 300);
});
afterAll(async () => {
  await link?.stop();
  await world?.stop();
});

const SMALL_PARTS = ['--multipart-threshold', '5MB', '--multipart-chunksize', '5MB', '--concurrency', '1'];

/** `s3 sync ARGS` through the slow link, SIGKILLed as soon as `ready()` holds. */
async function killedSync(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
) {
  const child = spawn(process.execPath, [CLI, 's3', 'sync', ...args], {
    cwd,
    env: { ...env, AWS_ENDPOINT_URL: link.endpoint },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const ended = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_, signal) => done(signal)));
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never ready to kill: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  expect(await ended).toBe('SIGKILL');
}

const partFiles = async (dir: string) => (await readdir(dir)).filter((name) => PART_FILE.test(name));

describe('a killed download leaves a .part file; the next sync of the folder removes it', () => {
  it('download again: the leftover is removed, a live writer and a file of the user stay; nothing of it is counted', async () => {
    const bucket = await world.bucket();
    const body = bytes(16 * MiB, 4);
    await world.put(bucket, 'p/big.bin', body);
    const dst = await folder();
    // A download in progress by a live process of this host (this test), and a user's own file.
    const live = `.tempcreds-${process.pid}-${hostTag()}-0123456789abcdef.part`;
    await writeFile(join(dst, live), 'in progress');
    await writeFile(join(dst, '.tempcreds-notes.part'), 'mine');
    try {
      const env = world.cliEnv();
      await killedSync([`s3://${bucket}/p/`, dst, ...SMALL_PARTS], dst, env, async () =>
        (await partFiles(dst)).some((name) => name !== live),
      );
      const [leftover] = (await partFiles(dst)).filter((name) => name !== live);
      expect(leftover).toMatch(new RegExp(`^\\.tempcreds-\\d+-${hostTag()}-[0-9a-f]{16}\\.part$`));

      const again = await runCli(['s3', 'sync', `s3://${bucket}/p/`, dst], { cwd: dst, env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(
        'Cleaned up after an earlier interrupted run: removed 1 partial download.',
      );
      expect(again.stderr).toMatch(/^Downloaded 1 file \(16\.0 MiB\), deleted 0, 0 unchanged, 0 failed in/m);
      expect(again.stdout).not.toContain('.part');
      expect(await partFiles(dst)).toEqual([live]);
      const tree = await readTree(dst);
      expect([...tree.keys()].sort()).toEqual(['.tempcreds-notes.part', 'big.bin', live].sort());
      expect(md5(tree.get('big.bin')!)).toBe(md5(body));
    } finally {
      await removeFolder(dst);
    }
  });

  it('syncing the folder up: the leftover is removed, never uploaded or counted', async () => {
    const bucket = await world.bucket();
    await world.put(bucket, 'p/big.bin', bytes(16 * MiB, 5));
    const dir = await folder({ 'a.txt': 'a' });
    try {
      const env = world.cliEnv();
      await killedSync(
        [`s3://${bucket}/p/`, dir, ...SMALL_PARTS],
        dir,
        env,
        async () => (await partFiles(dir)).length > 0,
      );
      const up = await runCli(['s3', 'sync', '.', `s3://${bucket}/up/`], { cwd: dir, env });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout.trim()).toBe(`upload: ./a.txt to s3://${bucket}/up/a.txt`);
      expect(up.stderr).toContain('removed 1 partial download');
      expect(up.stderr).toMatch(/^Uploaded 1 file \(1 Bytes\)/m);
      expect([...(await world.objects(bucket, 'up/')).keys()]).toEqual(['a.txt']);
      expect(await partFiles(dir)).toEqual([]);
    } finally {
      await removeFolder(dir);
    }
  });

  it('a dry run removes nothing', async () => {
    const bucket = await world.bucket();
    await world.put(bucket, 'p/big.bin', bytes(16 * MiB, 6));
    const dst = await folder();
    try {
      const env = world.cliEnv();
      await killedSync(
        [`s3://${bucket}/p/`, dst, ...SMALL_PARTS],
        dst,
        env,
        async () => (await partFiles(dst)).length > 0,
      );
      const dry = await runCli(['s3', 'sync', `s3://${bucket}/p/`, dst, '--dryrun'], { cwd: dst, env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).not.toContain('Cleaned up');
      expect(await partFiles(dst)).toHaveLength(1);
    } finally {
      await removeFolder(dst);
    }
  });
});

describe('a killed multipart upload stays open (and billed); the next sync to the same place aborts it', () => {
  it('aborts the killed run`s upload only: another tool`s upload and a live run`s stay open', async () => {
    const bucket = await world.bucket();
    const state = await mkdtemp(join(tmpdir(), 'tempcreds-state-'));
    const journal = join(state, 's3-uploads');
    const body = bytes(24 * MiB, 7);
    const src = await folder({ 'big.bin': body });
    const open = async () => (await world.uploadsInProgress(bucket)).sort();
    const create = async (key: string) =>
      (await world.admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
    try {
      const env = { ...world.cliEnv(), TEMPCREDS_STATE_DIR: state };
      await killedSync(['.', `s3://${bucket}/p/`, ...SMALL_PARTS], src, env, async () => {
        const written = await readdir(journal).catch(() => []);
        return written.length > 0 && (await open()).length > 0;
      });
      expect(await open()).toEqual(['p/big.bin']);

      // Another tool's upload under the same prefix, and one a live tempcreds (this test) has open.
      await create('p/other.bin');
      const liveId = await create('p/live.bin');
      await writeFile(
        join(journal, `${hostTag()}-${process.pid}-00000000.json`),
        JSON.stringify({
          scope: `${link.endpoint}/`,
          bucket,
          key: 'p/live.bin',
          uploadId: liveId,
          pid: process.pid,
          host: hostTag(),
          createdAt: Date.now(),
        }),
        { mode: 0o600 },
      );

      // The same sync again, to the same S3 (the same endpoint).
      const again = await runCli(['s3', 'sync', '.', `s3://${bucket}/p/`, ...SMALL_PARTS], {
        cwd: src,
        env: { ...env, AWS_ENDPOINT_URL: link.endpoint },
      });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(
        'Cleaned up after an earlier interrupted run: aborted 1 multipart upload.',
      );
      expect(again.stderr).toMatch(/^Uploaded 1 file \(24\.0 MiB\)/m);
      expect(await open()).toEqual(['p/live.bin', 'p/other.bin']);
      expect(md5(await world.body(bucket, 'p/big.bin'))).toBe(md5(body));
      // Only the live run's entry is left written down.
      expect(await readdir(journal)).toEqual([`${hostTag()}-${process.pid}-00000000.json`]);
    } finally {
      await removeFolder(src);
      await removeFolder(state);
    }
  });
});
