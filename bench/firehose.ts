/**
 * Issue 4's Firehose figures, on one local moto (enforcement on), same machine, same moment:
 *  1. 10,000 records: `tempcreds firehose put --file` vs the AWS CLI v2's `put-record-batch` in
 *     20 calls of 500 (input files prepared beforehand, not timed) (goal <= 0.15x);
 *  2. peak RSS of `tempcreds firehose put` for a 20 MB and a 200 MB file, generated on the fly and
 *     deleted afterwards: memory stays flat however large the input.
 * With BENCH_BASELINE_CLI=path/to/an/older/bin/tempcreds.cjs, that build is timed too, its runs
 * alternating with this one's (the same load for both), and peak RSS is measured for both.
 * Run: npm run bench -- firehose
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalAws } from '../test/support/localAws.js';
import { CLI } from '../test/support/cli.js';
import { awsCliV2, ratioLine, timeCommand } from './timing.js';

const STREAM = 'iot-data-collector';
const RECORDS = 10_000;

const aws2 = awsCliV2();
const local = await startLocalAws({ region: 'us-east-1' });
const dir = mkdtempSync(join(tmpdir(), 'tempcreds-bench-firehose-'));
try {
  const admin = local.adminClientConfig();
  await new S3Client(admin).send(new CreateBucketCommand({ Bucket: 'serverless-hands-on' }));
  await new FirehoseClient(admin).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: STREAM,
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::123456789012:role/firehose_delivery_role',
        BucketARN: 'arn:aws:s3:::serverless-hands-on',
        Prefix: 'iot/',
      },
    }),
  );
  // Static keys in the environment, for both tools. The AWS CLI 2.9 in Debian ignores
  // AWS_ENDPOINT_URL (added in 2.13), so it also gets --endpoint-url.
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: local.admin.accessKeyId,
    AWS_SECRET_ACCESS_KEY: local.admin.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: local.endpoint,
    AWS_PAGER: '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };

  // 1. 10,000 sensor readings, one a line; the same records as 20 JSON files of 500 for the CLI.
  const lines = Array.from(
    { length: RECORDS },
    (_, i) => `{"sensor":"s-${i % 50}","seq":${i},"t":${(20 + (i % 70) / 10).toFixed(1)}}\n`,
  );
  const file = join(dir, 'readings.jsonl');
  writeFileSync(file, lines.join(''));
  const script = [`set -e`];
  for (let call = 0; call < RECORDS / 500; call++) {
    const batch = lines
      .slice(call * 500, call * 500 + 500)
      .map((l) => ({ Data: Buffer.from(l).toString('base64') }));
    const json = join(dir, `batch-${call}.json`);
    writeFileSync(json, JSON.stringify(batch));
    script.push(
      `${aws2} firehose put-record-batch --delivery-stream-name ${STREAM} --records file://${json} --endpoint-url ${local.endpoint} > /dev/null`,
    );
  }
  writeFileSync(join(dir, 'aws-cli.sh'), script.join('\n') + '\n');

  const cli = timeCommand('bash', [join(dir, 'aws-cli.sh')], { env, runs: 3 });
  const ours = timeCommand(process.execPath, [CLI, 'firehose', 'put', STREAM, '--file', file], {
    env,
    runs: 7,
  });
  console.log(
    `AWS CLI v2, 20 x put-record-batch of 500: ${cli.medianMs.toFixed(0)} ms (min ${cli.minMs.toFixed(0)})`,
  );
  console.log(
    `tempcreds firehose put --file (10,000 lines): ${ours.medianMs.toFixed(0)} ms (min ${ours.minMs.toFixed(0)})`,
  );
  console.log(ratioLine('10,000 records to Firehose', ours, cli, 0.15));
  const baseline = process.env.BENCH_BASELINE_CLI;
  if (baseline) {
    const [before, after] = await alternate(
      [baseline, CLI].map((bin) => [process.execPath, bin, 'firehose', 'put', STREAM, '--file', file]),
      env,
      9,
    );
    console.log(
      `before/after, alternating (10,000 lines): ${before!.toFixed(0)} ms before, ${after!.toFixed(0)} ms after -> ${(after! / before!).toFixed(3)}x`,
    );
  }

  // 2. Peak memory against input size: 4 KiB lines, 20 MB and 200 MB.
  const time = '/usr/bin/time';
  if (!existsSync(time)) {
    console.log('peak RSS: skipped (/usr/bin/time is missing: apt-get install time)');
  } else {
    const builds = process.env.BENCH_BASELINE_CLI
      ? [
          ['before', process.env.BENCH_BASELINE_CLI],
          ['after', CLI],
        ]
      : [['', CLI]];
    for (const [megabytes, [label, bin]] of [20, 200].flatMap((mb) => builds.map((b) => [mb, b] as const))) {
      const big = join(dir, `big-${megabytes}.txt`);
      if (!existsSync(big)) await writeLines(big, megabytes * 1_000_000, 4096);
      const started = performance.now();
      const run = spawnSync(
        time,
        ['-f', '%M', process.execPath, bin!, 'firehose', 'put', STREAM, '--file', big],
        { env },
      );
      const seconds = (performance.now() - started) / 1000;
      const stderr = run.stderr.toString().trim().split('\n');
      if (run.status !== 0) throw new Error(`firehose put of ${megabytes} MB failed: ${stderr.join(' | ')}`);
      const peakMiB = Number(stderr.at(-1)) / 1024;
      console.log(
        `peak RSS, ${megabytes} MB file${label ? ` (${label})` : ''}: ${peakMiB.toFixed(0)} MiB (${seconds.toFixed(1)} s; ${stderr.at(-2)?.replace(/^firehose put \S+: /, '')})`,
      );
      if (bin === CLI) rmSync(big);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await local.stop();
}

/**
 * Median wall times of `commands`, run in turn `runs` times (after one warm-up each), so that each
 * meets the same load. Asynchronous on purpose: while a spawnSync blocks this process, nothing
 * reads moto's request log on its stderr, and a long series fills that pipe and stalls moto.
 */
async function alternate(commands: string[][], env: NodeJS.ProcessEnv, runs: number): Promise<number[]> {
  const once = ([command, ...args]: string[]) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(command!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) =>
        code === 0
          ? resolve(performance.now() - started)
          : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`)),
      );
    });
  for (const command of commands) await once(command);
  const samples = commands.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [i, command] of commands.entries()) samples[i]!.push(await once(command));
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]!);
}

/** A file of `bytes` bytes in lines of `lineBytes` (newline included), written as it is made. */
async function writeLines(path: string, bytes: number, lineBytes: number): Promise<void> {
  const out = createWriteStream(path);
  const line = (n: number) => `${String(n).padStart(10, '0')} ${'r'.repeat(lineBytes - 12)}\n`;
  for (let n = 0, written = 0; written < bytes; n++, written += lineBytes) {
    if (!out.write(line(n))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
