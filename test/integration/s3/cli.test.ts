/** `tempcreds s3 sync` as a user runs it: a child process, moto (through the proxy for faults). */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { CLI, runCli } from '../../support/cli.js';
import { startSlowLink } from './slowLink.js';
import { bytes, folder, md5, readTree, removeFolder, startS3World, type S3World } from './world.js';

const MiB = 1024 * 1024;
let world: S3World;
let proxy: AwsProxy;
beforeAll(async () => {
  world = await startS3World();
  proxy = await startAwsProxy({
    target: world.aws.endpoint,
    admin: () => world.aws.admin,
    region: 'us-east-1',
  });
});
afterAll(async () => {
  await proxy?.stop();
  await world?.stop();
});

const cli = (args: string[], cwd: string, endpoint?: string) =>
  runCli(['s3', 'sync', ...args], { cwd, env: world.cliEnv(endpoint) });
const lines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('tempcreds s3 sync', () => {
  it('dryrun, upload, no-op, download, no-op: the lines the AWS CLI prints', async () => {
    const bucket = await world.bucket();
    const src = await folder({ 'a.txt': 'a', 'sub dir/b+c.txt': 'bc', empty: '' });
    const dst = await folder({ 'stale.txt': 's' });
    try {
      const dry = await cli(['.', `s3://${bucket}/data/`, '--dryrun'], src);
      expect(dry.code, dry.stderr).toBe(0);
      expect(lines(dry.stdout)).toEqual([
        `(dryrun) upload: ./a.txt to s3://${bucket}/data/a.txt`,
        `(dryrun) upload: ./empty to s3://${bucket}/data/empty`,
        `(dryrun) upload: sub dir/b+c.txt to s3://${bucket}/data/sub dir/b+c.txt`,
      ]);
      expect((await world.objects(bucket)).size).toBe(0);

      const up = await cli(['.', `s3://${bucket}/data`], src);
      expect(up.code, up.stderr).toBe(0);
      expect(lines(up.stdout)).toEqual([
        `upload: ./a.txt to s3://${bucket}/data/a.txt`,
        `upload: ./empty to s3://${bucket}/data/empty`,
        `upload: sub dir/b+c.txt to s3://${bucket}/data/sub dir/b+c.txt`,
      ]);
      expect(up.stderr).toMatch(
        /^Uploaded 3 files \(3 Bytes\), deleted 0, 0 unchanged, 0 failed in [\d.]+ s\.$/m,
      );

      const again = await cli(['.', `s3://${bucket}/data/`], src);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/Uploaded 0 files .* 3 unchanged, 0 failed/);

      const down = await cli([`s3://${bucket}/data/`, dst, '--delete'], src);
      expect(down.code, down.stderr).toBe(0);
      expect(lines(down.stdout)).toEqual(
        lines(
          [
            `delete: ${join(dst, 'stale.txt')}`,
            `download: s3://${bucket}/data/a.txt to ${join(dst, 'a.txt')}`,
            `download: s3://${bucket}/data/empty to ${join(dst, 'empty')}`,
            `download: s3://${bucket}/data/sub dir/b+c.txt to ${join(dst, 'sub dir/b+c.txt')}`,
          ]
            .join('\n')
            .replaceAll(`${dst}/`, `${join('..', dst.split('/').pop()!)}/`),
        ),
      );
      const tree = await readTree(dst);
      expect(Object.fromEntries([...tree].map(([k, v]) => [k, v.toString()]))).toEqual({
        'a.txt': 'a',
        'sub dir/b+c.txt': 'bc',
        empty: '',
      });

      const downAgain = await cli([`s3://${bucket}/data/`, dst, '--delete'], src);
      expect(downAgain.stdout).toBe('');
      expect(downAgain.stderr).toMatch(/Downloaded 0 files .* 3 unchanged, 0 failed/);
    } finally {
      await removeFolder(src);
      await removeFolder(dst);
    }
  });

  it('multipart with lowered sizes: 5 MiB + 1 byte in two parts, content intact', async () => {
    const bucket = await world.bucket();
    const body = bytes(5 * MiB + 1, 9);
    const src = await folder({ 'big.bin': body });
    try {
      const result = await cli(
        ['.', `s3://${bucket}/`, '--multipart-threshold', '5MB', '--multipart-chunksize', '5MB'],
        src,
      );
      expect(result.code, result.stderr).toBe(0);
      const object = (await world.objects(bucket)).get('big.bin')!;
      expect(object.etag).toMatch(/^[0-9a-f]{32}-2$/);
      expect(object.size).toBe(5 * MiB + 1);
      expect(md5(await world.body(bucket, 'big.bin'))).toBe(md5(body));
    } finally {
      await removeFolder(src);
    }
  });

  it('a refused file: exit 1, named on stderr and in the summary; the others are uploaded', async () => {
    const bucket = await world.bucket();
    const src = await folder({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    try {
      proxy.clearFaults();
      // One worker: the first PutObject is a.txt's. AccessDenied is not retried.
      proxy.inject({
        kind: 'error',
        service: 's3',
        action: 'PutObject',
        code: 'AccessDenied',
        status: 403,
        message: 'Access Denied',
      });
      const result = await cli(['.', `s3://${bucket}/`, '--concurrency', '1'], src, proxy.endpoint);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `upload failed: ./a.txt to s3://${bucket}/a.txt: AccessDenied: Access Denied`,
      );
      expect(result.stderr).toMatch(/Uploaded 2 files .* 1 failed in/);
      expect(lines(result.stdout)).toEqual([
        `upload: ./b.txt to s3://${bucket}/b.txt`,
        `upload: ./c.txt to s3://${bucket}/c.txt`,
      ]);
      expect([...(await world.objects(bucket)).keys()].sort()).toEqual(['b.txt', 'c.txt']);
    } finally {
      proxy.clearFaults();
      await removeFolder(src);
    }
  });

  it('a part refused mid-upload: the multipart upload is aborted, not left behind', async () => {
    const bucket = await world.bucket();
    const src = await folder({ 'big.bin': bytes(16 * MiB, 5), 'small.txt': 's' });
    try {
      proxy.clearFaults();
      proxy.clearLog();
      proxy.inject({
        kind: 'error',
        service: 's3',
        action: 'UploadPart',
        code: 'AccessDenied',
        status: 403,
        message: 'Access Denied',
      });
      const result = await cli(['.', `s3://${bucket}/`, '--multipart-chunksize', '5MB'], src, proxy.endpoint);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `upload failed: ./big.bin to s3://${bucket}/big.bin: AccessDenied: Access Denied`,
      );
      expect(proxy.log.filter((e) => e.action === 'AbortMultipartUpload').map((e) => e.status)).toEqual([
        204,
      ]);
      expect(await world.uploadsInProgress(bucket)).toEqual([]);
      expect([...(await world.objects(bucket)).keys()]).toEqual(['small.txt']);
    } finally {
      proxy.clearFaults();
      await removeFolder(src);
    }
  });

  it('rides out throttling, a dropped connection and an expired token (a retried part re-reads its bytes)', async () => {
    const bucket = await world.bucket();
    const body = bytes(12 * MiB, 6);
    const src = await folder({ 'big.bin': body, 'small.txt': 'small' });
    try {
      proxy.clearFaults();
      proxy.clearLog();
      // The SDK does not retry ExpiredToken; sync does, from the top, with the provider's fresh keys.
      proxy.inject({ kind: 'error', service: 's3', action: 'PutObject', code: 'ExpiredToken' });
      proxy.inject({ kind: 'error', service: 's3', action: 'UploadPart', code: 'SlowDown' });
      proxy.inject({ kind: 'network', service: 's3', action: 'UploadPart' });
      proxy.inject({ kind: 'error', service: 's3', action: 'UploadPart', code: 'InternalError' });
      const result = await cli(['.', `s3://${bucket}/`, '--multipart-chunksize', '5MB'], src, proxy.endpoint);
      expect(result.code, result.stderr).toBe(0);
      expect(md5(await world.body(bucket, 'big.bin'))).toBe(md5(body));
      expect((await world.objects(bucket)).get('big.bin')?.etag).toMatch(/-3$/);
      expect((await world.body(bucket, 'small.txt')).toString()).toBe('small');
      expect(proxy.log.filter((e) => e.action === 'PutObject').map((e) => e.status)).toEqual([400, 200]);
    } finally {
      proxy.clearFaults();
      await removeFolder(src);
    }
  });

  it('on a terminal: a progress line on stderr, cleared before each file line', async () => {
    const bucket = await world.bucket();
    const src = await folder(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.txt`, `${i}`])));
    try {
      const { main } = await import('../../../src/cli/main.js');
      let out = '';
      let err = '';
      const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
      const stderr = Object.assign(
        new PassThrough().on('data', (c: Buffer) => (err += c.toString())),
        { isTTY: true },
      );
      const code = await main(['s3', 'sync', '.', `s3://${bucket}/`], {
        stdin: new PassThrough(),
        stdout,
        stderr,
        env: world.cliEnv(),
        cwd: src,
      });
      expect(code, err).toBe(0);
      expect(out.split('\n').filter(Boolean)).toHaveLength(30);
      const clear = '\r\x1b[K';
      expect(err).toContain(`\rCompleted `);
      expect(err).toMatch(
        /Completed \d+ file\(s\), [\d.]+ \w+ \([\d.]+ \w+\/s\), 0 unchanged, \d+ in progress/,
      );
      // The last thing on the line before the summary is a clear, not a stale progress line.
      expect(err).toContain(`${clear}Uploaded 30 files`);
    } finally {
      await removeFolder(src);
    }
  });

  it('Ctrl-C during a multipart upload: exit 130, says so, and the upload is aborted, not left behind', async () => {
    const bucket = await world.bucket();
    const src = await folder({ 'big.bin': bytes(24 * MiB, 7) });
    // Every S3 request held 300 ms: the upload (5 parts, one at a time) takes seconds.
    const link = await startSlowLink(world.aws.endpoint, 300);
    try {
      const args = [
        's3',
        'sync',
        '.',
        `s3://${bucket}/`,
        '--multipart-chunksize',
        '5MB',
        '--concurrency',
        '1',
      ];
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: src,
        env: world.cliEnv(link.endpoint),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.resume();
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.on('close', (code, signal) => done({ code, signal })),
      );
      // Interrupt once S3 holds the unfinished upload.
      const deadline = Date.now() + 20_000;
      while ((await world.uploadsInProgress(bucket)).length === 0) {
        if (Date.now() > deadline) throw new Error(`no multipart upload started: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      const { code } = await ended;
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('interrupted: stopping the transfers and aborting their multipart uploads');
      expect(stderr).toMatch(/The sync was interrupted after 0 copies/);
      expect(await world.uploadsInProgress(bucket)).toEqual([]);
      expect((await world.objects(bucket)).size).toBe(0);
    } finally {
      await link.stop();
      await removeFolder(src);
    }
  });

  it('refuses bad input with exit 2 before touching anything', async () => {
    const src = await folder();
    try {
      for (const args of [
        // (The flag checks are unit-tested; these show the exit code end to end.)
        ['.', './other'],
        ['.', 's3://bkt/', '--size-only', '--checksum'],
        ['./missing', 's3://bkt/'],
      ]) {
        const result = await cli(args, src, 'http://127.0.0.1:9');
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toMatch(/^tempcreds: /);
      }
      expect((await stat(src)).isDirectory()).toBe(true);
    } finally {
      await removeFolder(src);
    }
  });
});
