/**
 * Every record read is accounted for (issue 8, items 4-6): `tempcreds firehose put` as a user runs
 * it (the built CLI, a child process), real files, moto with IAM enforcement, and the AWS-fidelity
 * proxy for refusals and lost answers. A record ends delivered, written to --failed-file (marked
 * when its answer was lost), or after the line the message says to resend from; never nowhere.
 * Build first: npm run build
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../../support/cli.js';
import { waitFor } from './openPipe.js';
import {
  accessDenied,
  answersLost,
  numberedLines,
  partlyFailing,
  ROLE,
  sorted,
  startFirehoseWorld,
  STREAM,
  type FirehoseWorld,
} from './world.js';

interface Run {
  code: number | null;
  stderr: string;
}

describe('firehose put accounts for every record it read', () => {
  let world: FirehoseWorld;
  beforeAll(async () => {
    world = await startFirehoseWorld();
  });
  afterAll(() => world?.stop());
  beforeEach(() => world.clear());

  const asRole = ['--role', ROLE, '--source-profile', 'sts_user'];
  const base = () => ['firehose', 'put', STREAM, '--endpoint-url', world.proxy.endpoint, ...asRole];
  const path = (name: string) => join(world.home.home, name);
  const batchCalls = () => world.proxy.log.filter((e) => e.action === 'PutRecordBatch');

  /** The CLI with stdin from a file (`< file`), a pipe given `input`, or nothing; as another user when `uid`. */
  function cli(args: string[], options: { stdinFile?: string; input?: string; uid?: number } = {}) {
    const fd = options.stdinFile === undefined ? undefined : openSync(options.stdinFile, 'r');
    const stdio: StdioOptions = [fd ?? 'pipe', 'ignore', 'pipe'];
    const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
    const child = spawn(process.execPath, [CLI, ...args], { env: world.env, stdio, ...ids });
    if (fd !== undefined) closeSync(fd);
    else {
      child.stdin!.on('error', () => undefined); // the child may stop reading before the end (EPIPE)
      child.stdin!.end(options.input ?? '');
    }
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const exited = new Promise<Run>((resolve) =>
      child.on('close', (code) => {
        clearTimeout(guard);
        resolve({ code, stderr });
      }),
    );
    return { child, exited };
  }
  const run = (args: string[], options?: Parameters<typeof cli>[1]) => cli(args, options).exited;
  /** A shell command line (a resend the CLI suggested), with `tempcreds` the built CLI. */
  const shell = (command: string) =>
    new Promise<Run>((resolve) => {
      const child = spawn(
        'bash',
        ['-c', command.replace(/(^|\| )tempcreds /g, `$1${process.execPath} ${CLI} `)],
        {
          env: world.env,
          cwd: world.home.home,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  /** The records of a failed-records file, as text, each with its Outcome mark if any. */
  const savedRecords = async (file: string) =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const { Data, Outcome } = JSON.parse(line) as { Data: string; Outcome?: string };
        const text = Buffer.from(Data, 'base64').toString('utf8').replace(/\n$/, '');
        return Outcome ? `${text} [${Outcome}]` : text;
      });

  describe('a failed-records file that is the input (item 4)', () => {
    const jsonl = (n: number) =>
      numberedLines(n, 'again')
        .map((l) => `{"Data":"${Buffer.from(`${l}\n`).toString('base64')}"}\n`)
        .join('');

    it.each([
      ['stdin redirected from it: put - --records-jsonl --failed-file F < F', 'stdin'],
      ['--file given as a symlink to it', 'symlink'],
      ['--file given as a hard link to it', 'hardlink'],
      ['--failed-file given as a symlink to the --file', 'failed symlink'],
      ['the same path spelt another way', 'path'],
    ])('%s: refused (exit 2) with the fix, the file untouched, nothing sent', async (_, how) => {
      const failed = path(`failed-${how.replace(' ', '-')}.jsonl`);
      const content = jsonl(700);
      await writeFile(failed, content);
      let args: string[];
      let stdinFile: string | undefined;
      if (how === 'stdin') {
        args = ['-', '--records-jsonl', '--failed-file', failed];
        stdinFile = failed;
      } else if (how === 'symlink' || how === 'hardlink') {
        const alias = path(`alias-${how}.jsonl`);
        await (how === 'symlink' ? symlink(failed, alias) : link(failed, alias));
        args = ['--file', alias, '--records-jsonl', '--failed-file', failed];
      } else if (how === 'failed symlink') {
        const alias = path('failed-alias.jsonl');
        await symlink(failed, alias);
        args = ['--file', failed, '--records-jsonl', '--failed-file', alias];
      } else {
        args = [
          '--file',
          failed,
          '--records-jsonl',
          '--failed-file',
          `${world.home.home}/.aws/../failed-path.jsonl`,
        ];
      }
      const result = await run([...base(), ...args], { stdinFile });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /^tempcreds: The failed-records file \S+ is \S+, the file being sent: it would be emptied before it is read\.\n {2}fix: Write the records that fail to another file\.\n$/,
      );
      expect(await readFile(failed, 'utf8')).toBe(content);
      expect(batchCalls()).toEqual([]);
    });

    it('a failed-records file that is another file: the records are sent, the input is left as it was', async () => {
      const input = path('resend.jsonl');
      await writeFile(input, jsonl(3));
      const result = await run([...base(), '-', '--records-jsonl', '--failed-file', path('other.jsonl')], {
        stdinFile: input,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(await readFile(input, 'utf8')).toBe(jsonl(3));
      expect(sorted(await world.deliveredLines())).toEqual(sorted(numberedLines(3, 'again')));
    });
  });

  describe('an input that cannot be read: one line with the fix, exit 2, nothing sent', () => {
    it('a folder', async () => {
      const folder = path('readings');
      await mkdir(folder, { recursive: true });
      const result = await run([...base(), '--file', folder]);
      expect(result).toEqual({
        code: 2,
        stderr:
          `tempcreds: Cannot read ${folder}: it is a folder, not a file.\n` +
          `  fix: Send one file, or the files of a folder through stdin: cat ${folder}/* | tempcreds firehose put STREAM -\n`,
      });
    });

    it('a missing file', async () => {
      const missing = path('no-such-readings.txt');
      expect(await run([...base(), '--file', missing])).toEqual({
        code: 2,
        stderr: `tempcreds: Cannot read ${missing}: there is no such file.\n  fix: Check the path; to read stdin, pass - instead.\n`,
      });
    });

    it('a file the user may not read', async () => {
      const secret = path('unreadable.txt');
      await writeFile(secret, 'x\n');
      await chmod(secret, 0o000);
      // root reads anything: then the CLI runs as nobody, to whom a 000 file is closed as well.
      const uid = process.getuid?.() === 0 ? 65534 : undefined;
      const result = await run([...base(), '--file', secret], { uid });
      expect(result).toEqual({
        code: 2,
        stderr:
          `tempcreds: Cannot read ${secret}: permission denied.\n` +
          `  fix: Make it readable to you (ls -l ${secret}), or run as a user who may read it.\n`,
      });
      expect(batchCalls()).toEqual([]);
    });
  });

  describe('a refusal in the middle of a run (item 5)', () => {
    /** Starts a paced put of `lines` and, after `calls` calls were answered, makes AWS refuse the rest. */
    async function refusedMidRun(lines: string[], extra: string[], refuse: () => Promise<void>, calls = 3) {
      const file = path('readings.txt');
      await writeFile(file, lines.join('\n') + '\n');
      const started = cli([...base(), '--file', file, '--append-newline', '--pause-ms', '150', ...extra]);
      await waitFor(
        `${calls} calls answered`,
        () => batchCalls().filter((e) => e.status === 200).length >= calls,
        20_000,
      );
      await refuse();
      return { file, result: await started.exited };
    }
    const resendCommands = (stderr: string) =>
      [...stderr.matchAll(/(?:resend with|send them(?: again)? with): (.+?)(?: \(those that|$)/gm)].map(
        (m) => m[1]!,
      );

    it('the stream deleted mid-run: every record read and not delivered is in --failed-file, the message says from which line to resend the rest, and the resends complete it exactly', async () => {
      const lines = numberedLines(10_000, 'deleted');
      const failed = path('deleted.jsonl');
      try {
        const { file, result } = await refusedMidRun(
          lines,
          ['--concurrency', '2', '--failed-file', failed],
          () => world.deleteStream(),
        );
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(
          /^tempcreds: PutRecordBatch to iot-data-collector failed: ResourceNotFoundException: .*\n {2}fix: Check the stream name and the region: aws firehose list-delivery-streams --region REGION\n/,
        );
        const from = Number(/Lines from ([\d,]+) of /.exec(result.stderr)?.[1]?.replace(/,/g, ''));
        expect(result.stderr).toContain(
          `Lines from ${from.toLocaleString('en-US')} of ${file} on were not read; send them with: tail -n +${from} ${file} | tempcreds firehose put ${STREAM} - --append-newline\n`,
        );
        const delivered = await world.deliveredLines();
        const saved = await savedRecords(failed);
        const unread = lines.slice(from - 1);
        // Nothing lost, nothing twice: delivered, saved and unread are the input, each line once.
        expect(sorted([...delivered, ...saved, ...unread])).toEqual(sorted(lines));
        expect(delivered.length).toBeGreaterThan(0);
        const refused = Number(
          /(\d+) record\(s\) failed: AWS refused their call; written to /.exec(result.stderr)?.[1],
        );
        const notSent = Number(
          /(\d+) record\(s\) not sent: the run was stopped; written to /.exec(result.stderr)?.[1] ?? 0,
        );
        expect(refused).toBeGreaterThanOrEqual(500);
        expect(refused + notSent).toBe(saved.length);

        await world.createStream();
        const commands = resendCommands(result.stderr);
        expect(commands).toHaveLength(2);
        for (const command of commands) {
          const resent = await shell(`${command} ${asRole.join(' ')} --endpoint-url ${world.proxy.endpoint}`);
          expect(resent.code, resent.stderr).toBe(0);
        }
        expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
      } finally {
        await world.createStream().catch(() => undefined); // already there when the test got that far
      }
    });

    it('AccessDenied mid-run without --failed-file: the message says from which line the records were not all delivered, and resending from there loses nothing', async () => {
      const lines = numberedLines(6000, 'denied');
      const { file, result } = await refusedMidRun(lines, ['--concurrency', '1'], async () =>
        world.proxy.inject(accessDenied(1000)),
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(
        /^tempcreds: PutRecordBatch to iot-data-collector failed: AccessDeniedException: User: /,
      );
      expect(result.stderr).toContain('  fix: The caller lacks the permission');
      const from = Number(/Records from line ([\d,]+) of /.exec(result.stderr)?.[1]?.replace(/,/g, ''));
      expect(result.stderr).toContain(
        `send them again with: tail -n +${from} ${file} | tempcreds firehose put ${STREAM} - --append-newline`,
      );
      const delivered = await world.deliveredLines();
      // One call at a time: everything before the line is delivered, nothing from it on.
      expect(sorted(delivered)).toEqual(sorted(lines.slice(0, from - 1)));

      world.proxy.clearFaults();
      const resent = await shell(
        `${resendCommands(result.stderr)[0]} ${asRole.join(' ')} --endpoint-url ${world.proxy.endpoint}`,
      );
      expect(resent.code, resent.stderr).toBe(0);
      expect(sorted(await world.deliveredLines())).toEqual(sorted(lines));
    });

    it('from a pipe: the records read and not delivered go to --failed-file, and the message says up to which line stdin was read', async () => {
      const lines = numberedLines(3000, 'piped');
      const failed = path('piped.jsonl');
      const started = cli(
        [
          ...base(),
          '-',
          '--append-newline',
          '--concurrency',
          '1',
          '--pause-ms',
          '100',
          '--failed-file',
          failed,
        ],
        {
          input: lines.join('\n') + '\n',
        },
      );
      await waitFor(
        '2 calls answered',
        () => batchCalls().filter((e) => e.status === 200).length >= 2,
        20_000,
      );
      world.proxy.inject(accessDenied(1000));
      const result = await started.exited;
      expect(result.code, result.stderr).toBe(1);
      const upTo = Number(
        /stdin was read up to line ([\d,]+): what came after it was not read\./
          .exec(result.stderr)?.[1]
          ?.replace(/,/g, ''),
      );
      expect(upTo).toBeGreaterThan(500);
      const delivered = await world.deliveredLines();
      expect(sorted([...delivered, ...(await savedRecords(failed))])).toEqual(sorted(lines.slice(0, upTo)));
    });
  });

  describe('records whose answer was lost (item 6)', () => {
    it('are reported apart from the refused ones, in the summary and in --failed-file, and can be left out of a resend', async () => {
      // One call at a time, 2 records each, no retries: a b (answer lost after moto took them), c d (c refused).
      world.proxy.inject(answersLost(1));
      world.proxy.inject(partlyFailing([0], 1));
      const failed = path('apart.jsonl');
      const records = ['a', 'b', 'c', 'd'].flatMap((d) => ['--data', `apart-${d}`]);
      const result = await run([
        ...base(),
        ...records,
        '--append-newline',
        ...['--max-attempts', '1', '--max-batch-records', '2', '--concurrency', '1', '--failed-file', failed],
      ]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(
        /: 4 records, \d+ bytes, 2 calls, 0 retries, 1 failed, 2 unknown, [\d.]+ s\n/,
      );
      expect(result.stderr).toContain(`1 record(s) failed after 1 attempts; written to ${failed}.\n`);
      expect(result.stderr).toContain(
        `2 record(s) unknown: the answer to their call was lost, so they may have arrived; written to ${failed}.\n`,
      );
      expect(await savedRecords(failed)).toEqual(['apart-a [unknown]', 'apart-b [unknown]', 'apart-c']);
      // They did arrive: resending them all would make duplicates.
      expect(sorted(await world.deliveredLines())).toEqual(['apart-a', 'apart-b', 'apart-d']);

      const leaveOut = /or, to leave out those that may have arrived: (.+)$/m.exec(result.stderr)?.[1];
      expect(leaveOut).toBe(
        `grep -v '"Outcome":"unknown"' ${failed} | tempcreds firehose put ${STREAM} - --records-jsonl`,
      );
      const resent = await shell(`${leaveOut} ${asRole.join(' ')} --endpoint-url ${world.proxy.endpoint}`);
      expect(resent.code, resent.stderr).toBe(0);
      expect(sorted(await world.deliveredLines())).toEqual(['apart-a', 'apart-b', 'apart-c', 'apart-d']);
    });

    it('are retried by default (at-least-once) and counted: the summary says how many may be in the stream twice', async () => {
      const lines = numberedLines(10_000, 'lost');
      const file = path('lost.txt');
      await writeFile(file, lines.join('\n'));
      world.proxy.inject(answersLost(1));
      const result = await run([...base(), '--file', file, '--append-newline']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /: 10000 records, \d+ bytes, 21 calls, 1 retries, 0 failed, 500 resent after a lost answer, /,
      );
      const delivered = await world.deliveredLines();
      expect(delivered).toHaveLength(10_500);
      expect(sorted([...new Set(delivered)])).toEqual(sorted(lines));
    });
  });
});
