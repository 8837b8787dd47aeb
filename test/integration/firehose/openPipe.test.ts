/**
 * `tempcreds firehose put STREAM --file -` on a pipe that stays open (`tail -f readings.log | ...`),
 * as a user runs it (the built CLI, a child process) against moto: the flush interval, and Ctrl-C
 * or SIGTERM while records are pending. Build first: npm run build
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { pipedCli, startBlackHole, waitFor, type PipedCli } from './openPipe.js';
import { ROLE, sorted, startFirehoseWorld, STREAM, throttled, type FirehoseWorld } from './world.js';

describe('tempcreds firehose put on a pipe that stays open', () => {
  let world: FirehoseWorld;
  beforeAll(async () => {
    world = await startFirehoseWorld();
  });
  afterAll(() => world?.stop());
  beforeEach(() => world.clear());

  const asRole = ['--role', ROLE, '--source-profile', 'sts_user'];
  const putArgs = (args: string[]) => [
    'firehose',
    'put',
    STREAM,
    '--endpoint-url',
    world.proxy.endpoint,
    ...args,
  ];
  const fromStdin = (args: string[], stdin = ['--file', '-']) =>
    pipedCli(putArgs([...stdin, '--append-newline', ...args, ...asRole]), world.env);
  const delivered = async (n: number) => (await world.deliveredLines()).length >= n;
  /** Once `n` records are in S3, Ctrl-C, and the exit code of an interrupted run. */
  const interruptWhenDelivered = async (child: PipedCli, n: number) => {
    await waitFor(`${n} records`, () => delivered(n));
    child.kill('SIGINT');
    expect((await child.exited).code).toBe(130);
  };
  const batchCalls = () => world.proxy.log.filter((e) => e.action === 'PutRecordBatch');
  const linesOf = async (jsonl: string) =>
    (await readFile(jsonl, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => Buffer.from((JSON.parse(line) as { Data: string }).Data, 'base64').toString('utf8'));

  it('delivers 3 lines within the default flush interval (1s) while stdin stays open, then exits 0 when it closes', async () => {
    const child = fromStdin([], ['-']); // tail -f readings.log | tempcreds firehose put STREAM -
    // A first line, once delivered, says the CLI is up and reading (its start-up, the role's session
    // and the first call take seconds on a loaded machine): the lines timed below are read as written.
    child.write('reading-0 21.4C\n');
    await waitFor('the first line in S3', () => delivered(1));
    const written = Date.now();
    child.write('reading-1 21.5C\nreading-2 21.7C\nreading-3 21.6C\n');
    await waitFor('3 more records in S3', () => delivered(4));
    const waited = Date.now() - written;
    expect(waited).toBeGreaterThanOrEqual(1000); // the batch waited for the interval, not for more records
    expect(waited).toBeLessThan(5000);
    expect(child.running).toBe(true);
    expect(sorted(await world.deliveredLines())).toEqual([
      'reading-0 21.4C',
      'reading-1 21.5C',
      'reading-2 21.7C',
      'reading-3 21.6C',
    ]);

    child.end();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stderr).toMatch(
      /^firehose put iot-data-collector: 4 records, 64 bytes, 2 calls, 0 retries, 0 failed, [\d.]+ s\n$/,
    );
    expect(batchCalls()).toHaveLength(2);
  });

  it('each burst of a slow input goes out in its own call, --flush-interval after its first line', async () => {
    const child = fromStdin(['--flush-interval', '200ms']);
    child.write('burst1-a\nburst1-b\n');
    await waitFor('the first burst', () => delivered(2));
    child.write('burst2-a\n');
    await waitFor('the second burst', () => delivered(3));
    child.end();
    expect((await child.exited).code).toBe(0);
    expect(child.stderr).toMatch(/: 3 records, \d+ bytes, 2 calls, 0 retries, 0 failed, /);
    expect(sorted(await world.deliveredLines())).toEqual(['burst1-a', 'burst1-b', 'burst2-a']);
  });

  it('SIGINT with records pending: exit 130 and the summary; what was not delivered is in --failed-file and resending it loses and duplicates nothing', async () => {
    const failedFile = join(world.home.home, 'interrupted.jsonl');
    const child = fromStdin([
      '--flush-interval',
      '100ms',
      '--max-attempts',
      '100',
      '--failed-file',
      failedFile,
    ]);
    child.write('sent-1\nsent-2\nsent-3\n');
    await waitFor('the first 3 records', () => delivered(3));
    // From now on every call is refused as throttled: the next records stay pending, retried with backoff.
    world.proxy.inject(throttled(1000));
    child.write('pending-1\npending-2\n');
    await waitFor('a refused call', () => batchCalls().some((e) => e.answeredByProxy));
    child.kill('SIGINT');
    const { code } = await child.exited;

    expect(code).toBe(130);
    expect(child.stderr).toContain('tempcreds: interrupted: no more input is read; sending what was read');
    expect(child.stderr).toMatch(
      /\nfirehose put iot-data-collector: 5 records, 41 bytes, \d+ calls, \d+ retries, 0 failed, 2 not sent, [\d.]+ s\n/,
    );
    expect(child.stderr).toContain(
      `2 record(s) not sent: the run was interrupted; written to ${failedFile}.\n` +
        `  resend with: tempcreds firehose put ${STREAM} --file ${failedFile} --records-jsonl\n`,
    );
    expect(child.stderr).toMatch(/Interrupted after reading 5 record\(s\) of stdin\.\n$/);
    expect(sorted(await world.deliveredLines())).toEqual(['sent-1', 'sent-2', 'sent-3']);
    expect(await linesOf(failedFile)).toEqual(['pending-1\n', 'pending-2\n']);

    world.proxy.clearFaults();
    const resent = await runCli(putArgs(['--file', failedFile, '--records-jsonl', ...asRole]), {
      env: world.env,
    });
    expect(resent.code, resent.stderr).toBe(0);
    expect(sorted(await world.deliveredLines())).toEqual([
      'pending-1',
      'pending-2',
      'sent-1',
      'sent-2',
      'sent-3',
    ]);
  });

  it('SIGINT with nothing pending and no --failed-file: exit 130, nothing lost, nothing to report', async () => {
    const child = fromStdin(['--flush-interval', '100ms']);
    child.write('only-1\nonly-2\n');
    await interruptWhenDelivered(child, 2);
    expect(child.stderr).toMatch(
      /\nfirehose put iot-data-collector: 2 records, \d+ bytes, 1 calls, 0 retries, 0 failed, [\d.]+ s\n/,
    );
    expect(child.stderr).not.toContain('not sent');
  });

  it('SIGINT after a line without its newline: that incomplete line is not sent, and its size is said', async () => {
    const child = fromStdin(['--flush-interval', '100ms']);
    // One small write arrives whole: once its two lines are delivered, 'half' has been read too.
    child.write('whole-1\nwhole-2\nhalf');
    await interruptWhenDelivered(child, 2);
    expect(child.stderr).toMatch(
      /Interrupted after reading 2 record\(s\) of stdin; the 4 byte\(s\) read after them, an incomplete record, were not sent\.\n$/,
    );
    expect(sorted(await world.deliveredLines())).toEqual(['whole-1', 'whole-2']);
  });

  it('SIGINT during a large file: what was read is sent, cut on a whole line, and the rest is not read', async () => {
    const lines = Array.from(
      { length: 6000 },
      (_, i) => `line-${String(i).padStart(4, '0')} ${'x'.repeat(990)}`,
    );
    const path = join(world.home.home, 'large.txt');
    await writeFile(path, lines.join('\n') + '\n');
    // One call at a time, each after 1 s (12 calls: 12 s), so the file is far from sent when the
    // signal comes, however late a loaded machine delivers it; the stop cuts the pauses short.
    const child = pipedCli(
      putArgs(['--file', path, '--append-newline', '--concurrency', '1', '--pause-ms', '1000', ...asRole]),
      world.env,
    );
    await waitFor('the first call', () => batchCalls().length === 1);
    child.kill('SIGINT');
    expect((await child.exited).code).toBe(130);
    const read = Number(/Interrupted after reading (\d+) record\(s\) of /.exec(child.stderr)?.[1]);
    expect(read).toBeGreaterThan(500);
    expect(read).toBeLessThan(6000); // a few MiB read ahead at most, of a 6 MB file
    expect(child.stderr).toMatch(
      new RegExp(`: ${read} records, \\d+ bytes, \\d+ calls, 0 retries, 0 failed, `),
    );
    expect(sorted(await world.deliveredLines())).toEqual(lines.slice(0, read));
  });

  it('SIGTERM waits for the call in flight; a second signal aborts it and exits at once, its records saved', async () => {
    const hole = await startBlackHole();
    try {
      const failedFile = join(world.home.home, 'stuck.jsonl');
      // sts_user's own keys, straight to an endpoint that never answers.
      const args = ['firehose', 'put', STREAM, '--endpoint-url', hole.endpoint, '--profile', 'sts_user'];
      const child = pipedCli(
        [...args, '--file', '-', '--flush-interval', '50ms', '--failed-file', failedFile],
        world.env,
      );
      child.write('stuck-1\nstuck-2\n');
      await waitFor('the call to reach the endpoint', () => hole.requests === 1);
      child.kill('SIGTERM');
      await waitFor('the first signal to be taken', () =>
        child.stderr.includes('(interrupt again to stop at once)'),
      );
      // The endpoint never answers (the request timeout is 120 s): only the second signal can end the call.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(child.running).toBe(true); // the first signal lets the call in flight finish

      const second = Date.now();
      child.kill('SIGINT');
      const { code } = await child.exited;
      // 130 from its own exit: not the 2 s fallback, which ends the process by SIGINT (the next test).
      expect(code).toBe(130);
      expect(Date.now() - second).toBeLessThan(5000);
      // The call was aborted in flight: its records may have arrived.
      expect(child.stderr).toMatch(
        /\nfirehose put iot-data-collector: 2 records, 14 bytes, 1 calls, 0 retries, 0 failed, 2 unknown, /,
      );
      expect(child.stderr).toContain(
        `2 record(s) unknown: the answer to their call was lost, so they may have arrived; written to ${failedFile}.`,
      );
      expect(await linesOf(failedFile)).toEqual(['stuck-1', 'stuck-2']);
    } finally {
      await hole.stop();
    }
  });

  it('when the second signal cannot finish (a --failed-file FIFO nobody reads), the process still ends 2 s later', async () => {
    const hole = await startBlackHole();
    const fifo = join(world.home.home, 'nobody-reads.fifo');
    execFileSync('mkfifo', [fifo]);
    const held = openSync(fifo, 'r+'); // a reader that never reads: writes block once 64 KiB are queued
    try {
      const args = ['firehose', 'put', STREAM, '-', '--endpoint-url', hole.endpoint, '--profile', 'sts_user'];
      const child = pipedCli([...args, '--flush-interval', '50ms', '--failed-file', fifo], world.env);
      child.write(Array.from({ length: 200 }, (_, i) => `${i}`.padStart(1000, '0') + '\n').join(''));
      await waitFor('the call to reach the endpoint', () => hole.requests === 1);
      child.kill('SIGINT');
      // Two signals sent before the child runs would arrive as one: send the second once the first was taken.
      await waitFor('the first signal to be taken', () =>
        child.stderr.includes('(interrupt again to stop at once)'),
      );
      child.kill('SIGINT');
      const second = Date.now();
      // The process dies of SIGINT (a shell says 130): process.exit would wait for the stuck write.
      expect(await child.exited).toEqual({ code: null, signal: 'SIGINT' });
      expect(Date.now() - second).toBeGreaterThanOrEqual(1900);
      expect(Date.now() - second).toBeLessThan(10_000); // the 2 s timer, late on a loaded machine; the guard kills at 50 s

      expect(child.stderr).toContain(
        'tempcreds: stopped at once with 0 record(s) delivered; records read and neither delivered nor written to --failed-file are lost.\n',
      );
    } finally {
      closeSync(held);
      await hole.stop();
    }
  });

  it('AWS refusing the call ends the run (exit 1) without waiting for the open pipe to close', async () => {
    // sts_user may only assume roles: moto refuses its PutRecordBatch.
    const child = pipedCli(
      ['firehose', 'put', STREAM, '--endpoint-url', world.aws.endpoint, '--profile', 'sts_user'].concat([
        '--file',
        '-',
        '--flush-interval',
        '50ms',
      ]),
      world.env,
    );
    child.write('refused\n');
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.stderr).toMatch(/^tempcreds: PutRecordBatch to iot-data-collector failed: /);
  });

  it('a bad --flush-interval exits 2 with one line and a fix, before reading anything', async () => {
    const result = await runCli(putArgs(['--file', '-', '--flush-interval', 'soon', ...asRole]), {
      env: world.env,
      input: 'x\n',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tempcreds: --flush-interval "soon" is not a duration.\n' +
        '  fix: Use milliseconds (500ms), seconds (2s, or just 2) or minutes (1m).\n',
    );
    expect(world.proxy.log).toEqual([]);
  });
});
