/**
 * `tempcreds firehose put` as a user runs it (the built CLI, a child process), against moto with
 * IAM enforcement on, signed by a role session that `sts_user` assumes; the AWS-fidelity proxy
 * in front where moto differs from AWS. Build first: npm run build
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../../support/cli.js';
import {
  numberedLines,
  ROLE,
  sorted,
  startFirehoseWorld,
  STREAM,
  throttled,
  partlyFailing,
  dropped,
  type FirehoseWorld,
} from './world.js';

describe('tempcreds firehose put', () => {
  let world: FirehoseWorld;
  beforeAll(async () => {
    world = await startFirehoseWorld();
  });
  afterAll(() => world?.stop());
  beforeEach(() => world.clear());

  const put = (args: string[], input?: string) =>
    runCli(['firehose', 'put', STREAM, '--endpoint-url', world.proxy.endpoint, ...args], {
      env: world.env,
      input,
    });
  const asRole = ['--role', ROLE, '--source-profile', 'sts_user'];
  const file = async (name: string, content: string | Buffer) => {
    const path = join(world.home.home, name);
    await writeFile(path, content);
    return path;
  };
  const batchCalls = () => world.proxy.log.filter((e) => e.action === 'PutRecordBatch');

  it("delivers the runbook's --record as the 11 bytes Hello world, with the runbook's role profile", async () => {
    const result = await put(['--record', '{"Data":"SGVsbG8gd29ybGQ="}', '--profile', 'target-role-profile']);
    expect(result.stderr).toMatch(
      /^firehose put iot-data-collector: 1 records, 11 bytes, 1 calls, 0 retries, 0 failed, [\d.]+ s\n$/,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const objects = await world.deliveredObjects();
    expect(objects.map((o) => o.toString('utf8'))).toEqual(['Hello world']);
  });

  it('delivers every record of a 10,000-line file, in full batches of 500', async () => {
    const lines = numberedLines(10_000);
    const path = await file('readings.txt', lines.join('\r\n') + '\r\n');
    const result = await put(['--file', path, '--append-newline', ...asRole]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/: 10000 records, \d+ bytes, 20 calls, 0 retries, 0 failed/);
    expect(batchCalls()).toHaveLength(20);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
  });

  it('loses and duplicates nothing through partial failures, throttling and dropped connections', async () => {
    const lines = numberedLines(10_000, 'faulty');
    const path = await file('faulty.txt', lines.join('\n'));
    world.proxy.inject(partlyFailing((i) => i % 3 === 0, 5));
    world.proxy.inject(throttled(3));
    world.proxy.inject(dropped(2));
    const result = await put(['--file', path, '--append-newline', '--concurrency', '6', ...asRole]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/: 10000 records, \d+ bytes, 30 calls, 10 retries, 0 failed/);
    expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
  });

  it('refuses a record over 1,000 KiB before anything is sent, naming its line (exit 2)', async () => {
    const lines = numberedLines(2000);
    lines[1233] = 'x'.repeat(1_024_001);
    const path = await file('oversized.txt', lines.join('\n'));
    const result = await put(['--file', path, ...asRole]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `tempcreds: ${path} line 1,234 is 1,024,001 bytes: Firehose takes at most 1,024,000 bytes per record. Nothing was sent.\n` +
        '  fix: Split that line, or drop it from the input.\n',
    );
    expect(batchCalls()).toEqual([]);
    expect(await world.deliveredObjects()).toEqual([]);
  });

  it('stdin redirected from a file (< file) is scanned first, like --file: nothing sent (exit 2)', async () => {
    const lines = numberedLines(700);
    lines[650] = 'x'.repeat(1_024_001);
    const fd = openSync(await file('redirected.txt', lines.join('\n')), 'r');
    const args = [
      'firehose',
      'put',
      STREAM,
      '--file',
      '-',
      '--endpoint-url',
      world.proxy.endpoint,
      ...asRole,
    ];
    const child = spawn(process.execPath, [CLI, ...args], { env: world.env, stdio: [fd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((done) => child.on('close', done));
    closeSync(fd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^tempcreds: stdin line 651 is 1,024,001 bytes: .* Nothing was sent\.\n/);
    expect(batchCalls()).toEqual([]);
  });

  it('stdin from a pipe is checked as it streams: what went before an oversized line is said (exit 1)', async () => {
    const lines = [...numberedLines(600), 'y'.repeat(1_100_000), 'after'];
    const result = await put(['--file', '-', '--append-newline', ...asRole], lines.join('\n'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^tempcreds: stdin line 601 is more than 1,023,999 bytes: .* 500 record\(s\) had been delivered before it in 1 call\(s\)\.\n/,
    );
    expect((await world.deliveredLines()).length).toBe(500);
  });

  it('writes records that keep failing to --failed-file (exit 1), and --records-jsonl resends them', async () => {
    const lines = numberedLines(1000, 'resend');
    // Records 0 and 1 of every call fail, so they fail again when resent alone.
    world.proxy.inject(partlyFailing([0, 1], 1000));
    const failedFile = join(world.home.home, 'failed.jsonl');
    const first = await put(
      [
        '--data',
        lines[0]!,
        '--data',
        `${lines[1]}\nwith a newline inside`,
        ...lines.slice(2).flatMap((l) => ['--data', l]),
      ]
        .concat([
          '--append-newline',
          '--max-attempts',
          '2',
          '--max-batch-records',
          '100',
          '--failed-file',
          failedFile,
        ])
        .concat(asRole),
    );
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(': 1000 records, ');
    expect(first.stderr).toContain(' 20 failed, ');
    expect(first.stderr).toContain(`20 record(s) failed after 2 attempts; written to ${failedFile}.\n`);
    expect(first.stderr).toContain(
      `resend with: tempcreds firehose put ${STREAM} --file ${failedFile} --records-jsonl`,
    );
    const saved = (await readFile(failedFile, 'utf8')).trimEnd().split('\n');
    expect(saved).toHaveLength(20);
    expect(saved[0]).toMatch(/^\{"Data":"[A-Za-z0-9+/=]+"\}$/);
    expect(await world.deliveredLines()).toHaveLength(980);

    world.proxy.clearFaults();
    const again = await put(['--file', failedFile, '--records-jsonl', ...asRole]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/: 20 records, \d+ bytes, 1 calls, 0 retries, 0 failed/);
    const expected = [lines[0]!, lines[1]!, 'with a newline inside', ...lines.slice(2)];
    expect(sorted(await world.deliveredLines())).toEqual(sorted(expected));
  });

  it('lists failed records on stderr without --failed-file', async () => {
    world.proxy.inject(partlyFailing([0], 2));
    const result = await put(['--data', 'a', '--data', 'b', '--max-attempts', '2', ...asRole]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '1 record(s) failed after 2 attempts (use --failed-file PATH to keep them):\n',
    );
    expect(result.stderr).toContain('  ServiceUnavailableException: {"Data":"YQ=="}\n');
  });

  it.each([
    [['--record', '{"Data":"SGVsbG8gd29ybGQ"}'], 'tempcreds: Data of --record is not valid base64.'],
    [['--record', '{"Data":'], 'tempcreds: --record is not valid JSON'],
    [['--record', '{}'], 'tempcreds: Missing required parameter in --record: "Data".'],
    [['--data-base64', 'nope!'], 'tempcreds: --data-base64 is not valid base64.'],
    [[], 'tempcreds: Nothing to send'],
  ])('bad input %j exits 2 with one line and sends nothing', async (args, message) => {
    const result = await put([...args, ...asRole]);
    expect(result.code).toBe(2);
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(world.proxy.log).toEqual([]);
  });
});
