/**
 * Issue 13's figures: tempcreds over an emulated wide-area link, against the AWS CLI v2 and rclone.
 * A userspace link (test/support/wan/linkProxy.ts: a delay each way on every chunk, a shared
 * token bucket, the handshake's round trip, a count of connections) in front of a local S3 and
 * Firehose that keeps connections alive and answers at once (test/support/wan/awsDouble.ts), at
 * each link of WAN_LINKS (default 0,20,100,300,50/20,200/5: a round-trip time in ms, and after a
 * slash a bandwidth in Mbit/s each way; none: unlimited), the tools taking turns in each round:
 *   small     500 files of 4 KiB up to a new prefix: tempcreds (fitted, and each --concurrency of
 *             WAN_FIXED), `aws s3 sync`, `rclone copy`
 *   noop      the same syncs again: nothing to copy
 *   big       one file of WAN_BIG_MIB (256) MiB at the link's bandwidth (WAN_MBIT, 100 Mbit/s, where
 *             the link has none; at most what that bandwidth carries in WAN_BIG_SECONDS, 30): time, and the
 *             share of the link's bandwidth reached (whole command, and on the link, first to last byte)
 *   firehose  10,000 records: `tempcreds firehose put` (fitted, and WAN_FIREHOSE_FIXED) against
 *             20 `aws firehose put-record-batch` calls of 500
 *   many      the no-op sync of WAN_MANY_FILES (100,000) files of 64 bytes in 100 folders, the same
 *             keys already in the double: time and peak RSS, tempcreds against `aws s3 sync`
 *   throttle  at 100 ms, the double throttles above a quota: every file and record arrives, and
 *             tempcreds' concurrency comes down (its --debug lines)
 *   moto      at RTT 0 on moto, this build's default against WAN_BASELINE's (another build's
 *             bin/tempcreds.cjs, e.g. main's), in turns: the small files up, the no-op, and
 *             10,000 Firehose records
 * WAN_CASES picks cases (default all), WAN_RUNS rounds (default 3).
 * Run: npm run bench -- wan
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  ftruncateSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startAwsDouble } from '../test/support/wan/awsDouble.js';
import { startLinkProxy, type LinkProxy } from '../test/support/wan/linkProxy.js';
import { startLocalAws } from '../test/support/localAws.js';
import { CLI, makeTempHome } from '../test/support/cli.js';
import { awsCliV2 } from './timing.js';
import {
  awsFirehose,
  awsSync,
  measure,
  range,
  rcloneCopy,
  tempcredsFirehose,
  tempcredsSync,
  withPeakRss,
  type Run,
  type Tools,
} from './wanTools.support.js';

const list = (text: string | undefined, fallback: string) => (text ?? fallback).split(',').filter(Boolean);
/** `100` (100 ms, unlimited) or `200/5` (200 ms, 5 Mbit/s). */
const LINKS = list(process.env.WAN_LINKS ?? process.env.WAN_RTTS, '0,20,100,300,50/20,200/5').map((text) => {
  const [rtt, mbit] = text.split('/').map(Number);
  return { rtt: rtt!, mbit, name: mbit ? `RTT ${rtt} ms, ${mbit} Mbit/s` : `RTT ${rtt} ms` };
});
type Link = (typeof LINKS)[number];
const CASES = list(process.env.WAN_CASES, 'small,noop,big,firehose,many,throttle,moto');
const MANY_FILES = Number(process.env.WAN_MANY_FILES ?? 100_000);
const RUNS = Number(process.env.WAN_RUNS ?? 3);
const FIXED = list(process.env.WAN_FIXED, '8,32,128,256');
const FIREHOSE_FIXED = list(process.env.WAN_FIREHOSE_FIXED, '4,16,64');
const BIG_FIXED = list(process.env.WAN_BIG_FIXED, '4,16');
const BIG_MIB = Number(process.env.WAN_BIG_MIB ?? 256);
const MBIT = Number(process.env.WAN_MBIT ?? 100);
const BIG_SECONDS = Number(process.env.WAN_BIG_SECONDS ?? 30);
const BASELINE = process.env.WAN_BASELINE;
const SMALL_FILES = 500;
const RECORDS = 10_000;
const STREAM = 'iot-data-collector';
const BUCKET = 'bench';

const home = await makeTempHome();
const work = mkdtempSync(join(tmpdir(), 'tempcreds-bench-wan-'));
const tools: Tools = {
  env: home.env({
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }),
  aws: awsCliV2(),
  rcloneConfig: join(work, 'rclone.conf'),
};
const double = await startAwsDouble();
tools.double = double;
const lines: string[] = [];
const say = (line: string) => {
  console.log(line);
  lines.push(line);
};

/** The rounds of a case: each round runs every contender once, the order rotating. */
async function inTurns(
  contenders: Array<[string, (round: number) => Promise<Run>]>,
): Promise<Map<string, Run[]>> {
  const runs = new Map(contenders.map(([name]) => [name, [] as Run[]]));
  for (let round = 0; round < RUNS; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
    for (const [name, run] of order) runs.get(name)!.push(await run(round));
  }
  return runs;
}

/** Each contender's range, the fitted default against the best fixed, and the best other tool. */
function report(what: string, runs: Map<string, Run[]>): void {
  const medians = new Map([...runs].map(([name, r]) => [name, range(r)]));
  for (const [name, r] of runs) {
    const limits = r.flatMap((x) => x.limits);
    const trace =
      name === 'tempcreds' && limits.length > 0 ? `, concurrency up to ${Math.max(...limits)}` : '';
    const conns = r.map((x) => x.connections).sort((a, b) => a - b)[Math.floor(r.length / 2)];
    say(`  ${what}, ${name}: ${medians.get(name)!.text}, ${conns} connections${trace}`);
  }
  const fixed = [...medians].filter(([name]) => name.startsWith('tempcreds --concurrency'));
  const ours = medians.get('tempcreds')!.median;
  if (fixed.length > 0) {
    const [bestName, best] = fixed.reduce((a, b) => (b[1].median < a[1].median ? b : a));
    const ratio = ours / best.median;
    say(
      `  ${what}: default ${ratio.toFixed(2)}x the best fixed (${bestName.split(' ').pop()}) (goal <= 1.25x: ${ratio <= 1.25 ? 'met' : 'MISSED'})`,
    );
  }
  const others = [...medians].filter(([name]) => !name.startsWith('tempcreds'));
  if (others.length > 0) {
    const [otherName, other] = others.reduce((a, b) => (b[1].median < a[1].median ? b : a));
    say(`  ${what}: default ${(ours / other.median).toFixed(3)}x the faster of the others (${otherName})`);
  }
}

function makeSmallTree(root: string): void {
  mkdirSync(root, { recursive: true });
  const body = Buffer.alloc(4096, 'x');
  for (let i = 0; i < SMALL_FILES; i++)
    writeFileSync(join(root, `reading-${String(i).padStart(4, '0')}.dat`), body);
}

/** A sparse file of `mib` MiB (reads as zeros; S3's MD5s are as real). */
function makeBigFile(path: string, mib: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, mib * 1024 * 1024);
  closeSync(fd);
}

function makeRecords(dir: string): { file: string; batches: string[] } {
  const records = Array.from(
    { length: RECORDS },
    (_, i) => `{"sensor":"s-${i % 50}","seq":${i},"t":${(20 + (i % 70) / 10).toFixed(1)}}\n`,
  );
  const file = join(dir, 'readings.jsonl');
  writeFileSync(file, records.join(''));
  const batches = Array.from({ length: RECORDS / 500 }, (_, call) => {
    const json = join(dir, `batch-${call}.json`);
    const batch = records
      .slice(call * 500, call * 500 + 500)
      .map((l) => ({ Data: Buffer.from(l).toString('base64') }));
    writeFileSync(json, JSON.stringify(batch));
    return json;
  });
  return { file, batches };
}

const fixedContenders = (
  values: string[],
  run: (extra: string[], round: number, tag: string) => Promise<Run>,
) =>
  values.map(
    (n) =>
      [`tempcreds --concurrency ${n}`, (round: number) => run(['--concurrency', n], round, `c${n}`)] as [
        string,
        (round: number) => Promise<Run>,
      ],
  );

async function smallAndNoop(at: Link, link: LinkProxy, small: string): Promise<void> {
  const prefix = (tool: string, round: number) =>
    `s3://${BUCKET}/rtt${at.rtt}-${at.mbit ?? 0}/${tool}-${round}/`;
  const contenders = (extraFixed: boolean): Array<[string, (round: number) => Promise<Run>]> => [
    ['tempcreds', (round) => tempcredsSync(tools, link, [small, prefix('tc', round)])],
    ...(extraFixed
      ? fixedContenders(FIXED, (extra, round, tag) =>
          tempcredsSync(tools, link, [small, prefix(tag, round), ...extra]),
        )
      : []),
    ['aws s3 sync', (round) => awsSync(tools, link, [small, prefix('aws', round)])],
    ['rclone copy', (round) => rcloneCopy(tools, link, small, prefix('rclone', round).slice(5))],
  ];
  if (CASES.includes('small')) report(`${SMALL_FILES} x 4 KiB up`, await inTurns(contenders(true)));
  if (CASES.includes('noop') && CASES.includes('small'))
    report('no-op re-sync', await inTurns(contenders(true)));
}

/** The big file's size on a link of `mbit`: WAN_BIG_MIB, or a power of two that takes WAN_BIG_SECONDS at most. */
const bigMib = (mbit: number) =>
  Math.min(BIG_MIB, 2 ** Math.floor(Math.log2((mbit * 1e6 * BIG_SECONDS) / 8 / 2 ** 20)));

async function big(at: Link): Promise<void> {
  const mbit = at.mbit ?? MBIT;
  const mib = bigMib(mbit);
  const link = await startLinkProxy({ target: double.endpoint, rttMs: at.rtt, bitsPerSecond: mbit * 1e6 });
  try {
    const dir = join(work, `big-${mib}`);
    if (!existsSync(dir)) {
      mkdirSync(dir);
      makeBigFile(join(dir, 'capture.bin'), mib);
    }
    const limitMs = ((mib * 1024 * 1024 * 8) / (mbit * 1e6)) * 1000;
    const to = (tool: string, round: number) => `s3://${BUCKET}/big-rtt${at.rtt}-${mbit}/${tool}-${round}/`;
    const runs = await inTurns([
      ['tempcreds', (round) => tempcredsSync(tools, link, [dir, to('tc', round)])],
      ...fixedContenders(BIG_FIXED, (extra, round, tag) =>
        tempcredsSync(tools, link, [dir, to(tag, round), ...extra]),
      ),
      ['aws s3 sync', (round) => awsSync(tools, link, [dir, to('aws', round)])],
      ['rclone copy', (round) => rcloneCopy(tools, link, dir, to('rclone', round).slice(5))],
    ]);
    report(`one ${mib} MiB file at ${mbit} Mbit/s`, runs);
    for (const [name, r] of runs) {
      const share = (limitMs / range(r).median) * 100;
      const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
      const rate = (bytes: number, ms: number) => ((bytes * 8) / (ms / 1000) / (mbit * 1e6)) * 100;
      const onLink = median(r.map((x) => rate(x.bytesUp, x.upMs)));
      const transfer = median(r.map((x) => rate(x.bodyBytes, x.bodyMs)));
      say(
        `    ${name}: ${share.toFixed(1)}% of the link's bandwidth over the whole command (the limit: ${(limitMs / 1000).toFixed(1)} s); ${transfer.toFixed(1)}% while the file's bytes arrive (first to last); ${onLink.toFixed(1)}% from its first request on the link to its last`,
      );
    }
  } finally {
    await link.stop();
  }
}

async function firehose(link: LinkProxy, records: { file: string; batches: string[] }): Promise<void> {
  double.resetStats();
  const runs = await inTurns([
    ['tempcreds', () => tempcredsFirehose(tools, link, STREAM, records.file)],
    ...fixedContenders(FIREHOSE_FIXED, (extra) =>
      tempcredsFirehose(tools, link, STREAM, records.file, extra),
    ),
    ['aws firehose put-record-batch', () => awsFirehose(tools, link, STREAM, records.batches, work)],
  ]);
  report(`${RECORDS.toLocaleString('en-US')} Firehose records`, runs);
  const expected = RECORDS * RUNS * (FIREHOSE_FIXED.length + 2);
  say(`    records that arrived: ${double.stats.records[STREAM] ?? 0} of ${expected}`);
}

/**
 * The no-op over many files: 100 folders of MANY_FILES / 100 files of 64 bytes, the same keys put
 * straight into the double (newer than the files, same sizes), so each sync lists and compares
 * everything and copies nothing. Peak RSS is what the issue bounds (200 MiB).
 */
async function many(link: LinkProxy): Promise<void> {
  const root = join(work, 'many');
  if (!existsSync(root)) {
    const body = Buffer.alloc(64, 'm');
    const perFolder = Math.ceil(MANY_FILES / 100);
    for (let i = 0; i < MANY_FILES; i++) {
      const folder = `f-${String(Math.floor(i / perFolder)).padStart(3, '0')}`;
      const name = `r-${String(i).padStart(6, '0')}.dat`;
      if (i % perFolder === 0) mkdirSync(join(root, folder), { recursive: true });
      writeFileSync(join(root, folder, name), body);
    }
    await new Promise((later) => setTimeout(later, 1100)); // the keys' LastModified after every file's mtime
    for (let i = 0; i < MANY_FILES; i++) {
      const folder = `f-${String(Math.floor(i / perFolder)).padStart(3, '0')}`;
      double.s3.seed(BUCKET, `many/${folder}/r-${String(i).padStart(6, '0')}.dat`, body);
    }
  }
  const to = `s3://${BUCKET}/many/`;
  double.resetStats();
  const runs = await inTurns([
    [
      'tempcreds',
      () =>
        measure(
          tools,
          link,
          ...withPeakRss(process.execPath, [CLI, 's3', 'sync', root, to, '--endpoint-url', link.endpoint]),
        ),
    ],
    [
      'aws s3 sync',
      () =>
        measure(
          tools,
          link,
          ...withPeakRss(tools.aws, [
            's3',
            'sync',
            root,
            to,
            '--no-progress',
            '--endpoint-url',
            link.endpoint,
          ]),
        ),
    ],
  ]);
  const what = `no-op sync of ${MANY_FILES.toLocaleString('en-US')} files`;
  report(what, runs);
  for (const [name, r] of runs) {
    const peak = Math.max(...r.map((x) => x.peakKiB ?? 0)) / 1024;
    const verdict = name === 'tempcreds' ? ` (goal < 200 MiB: ${peak < 200 ? 'met' : 'MISSED'})` : '';
    say(`    ${what}, ${name}: peak RSS ${peak.toFixed(0)} MiB${verdict}`);
  }
  const puts =
    (double.stats.requests['s3:PutObject'] ?? 0) + (double.stats.requests['s3:CreateMultipartUpload'] ?? 0);
  say(`    uploads during the no-ops: ${puts} (expected 0)`);
}

async function throttle(small: string, records: { file: string }): Promise<void> {
  const link = await startLinkProxy({ target: double.endpoint, rttMs: 100 });
  try {
    for (let round = 0; round < RUNS; round++) {
      double.resetStats();
      double.setQuota({ s3: 150, firehose: 10 });
      const prefix = `throttle-${round}/`;
      const s3Run = await tempcredsSync(tools, link, [small, `s3://${BUCKET}/${prefix}`]);
      const arrived = [...double.s3.objects(BUCKET).keys()].filter((k) => k.startsWith(prefix)).length;
      const fhRun = await tempcredsFirehose(tools, link, STREAM, records.file);
      double.setQuota({});
      const trace = (r: Run) =>
        `concurrency ${r.limits.join(' ')} (${r.throttledChanges} decreases for throttling)`;
      say(
        `  throttling at 100 ms, round ${round + 1}: S3 quota 150 requests/s: ${double.stats.throttled.s3} SlowDown answers, ${arrived} of ${SMALL_FILES} files arrived in ${Math.round(s3Run.ms)} ms; ${trace(s3Run)}`,
      );
      say(
        `    Firehose quota 10 calls/s: ${double.stats.throttled.firehose} ServiceUnavailableException answers, ${double.stats.records[STREAM] ?? 0} of ${RECORDS} records arrived in ${Math.round(fhRun.ms)} ms; ${trace(fhRun)}`,
      );
    }
  } finally {
    double.setQuota({});
    await link.stop();
  }
}

async function moto(small: string, records: { file: string }): Promise<void> {
  if (!BASELINE) {
    say('  moto: set WAN_BASELINE=/path/to/main/bin/tempcreds.cjs to compare with another build');
    return;
  }
  const local = await startLocalAws({ enforce: false });
  const admin = new S3Client(local.adminClientConfig());
  const firehoseClient = new FirehoseClient(local.adminClientConfig());
  try {
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const env = {
      ...tools,
      env: {
        ...tools.env,
        AWS_ACCESS_KEY_ID: local.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: local.admin.secretAccessKey,
      },
    };
    const sync = (cli: string | undefined, to: string) =>
      measure(env, undefined, process.execPath, [
        cli ?? join(import.meta.dirname, '../bin/tempcreds.cjs'),
        's3',
        'sync',
        small,
        to,
        '--endpoint-url',
        local.endpoint,
      ]);
    const compare = async (what: string, run: (cli: string | undefined, round: number) => Promise<Run>) => {
      const runs = await inTurns([
        ['tempcreds', (round) => run(undefined, round)],
        ['WAN_BASELINE', (round) => run(BASELINE, round)],
      ]);
      const [ours, theirs] = [range(runs.get('tempcreds')!), range(runs.get('WAN_BASELINE')!)];
      const ratio = ours.median / theirs.median;
      say(
        `  moto, RTT 0, ${what}: this build ${ours.text}, WAN_BASELINE ${theirs.text}: ${ratio.toFixed(3)}x (goal <= 1: ${ratio <= 1 ? 'met' : 'MISSED (see the ranges)'})`,
      );
    };
    for (const phase of ['up', 'no-op']) {
      await compare(`${SMALL_FILES} x 4 KiB ${phase}`, (cli, round) =>
        sync(cli, `s3://${BUCKET}/moto-${cli ? 'base' : 'tc'}-${round}/`),
      );
    }
    await firehoseClient.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: STREAM,
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::123456789012:role/firehose_delivery_role',
          BucketARN: `arn:aws:s3:::${BUCKET}`,
          Prefix: 'firehose/',
        },
      }),
    );
    await compare(`${RECORDS.toLocaleString('en-US')} Firehose records`, (cli) =>
      measure(env, undefined, process.execPath, [
        cli ?? join(import.meta.dirname, '../bin/tempcreds.cjs'),
        'firehose',
        'put',
        STREAM,
        '--file',
        records.file,
        '--endpoint-url',
        local.endpoint,
      ]),
    );
  } finally {
    admin.destroy();
    firehoseClient.destroy();
    await local.stop();
  }
}

try {
  say(`load average at the start: ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}`);
  await measure(tools, undefined, tools.aws, [
    's3api',
    'create-bucket',
    '--bucket',
    BUCKET,
    '--endpoint-url',
    double.endpoint,
  ]);
  const small = join(work, 'small');
  makeSmallTree(small);
  const records = makeRecords(work);
  for (const at of LINKS) {
    say(`\n${at.name} (median of ${RUNS}, min-max):`);
    const bitsPerSecond = at.mbit ? at.mbit * 1e6 : undefined;
    const link = await startLinkProxy({ target: double.endpoint, rttMs: at.rtt, bitsPerSecond });
    try {
      await smallAndNoop(at, link, small);
      if (CASES.includes('firehose')) await firehose(link, records);
      if (CASES.includes('many')) await many(link);
    } finally {
      await link.stop();
    }
    if (CASES.includes('big')) await big(at);
  }
  if (CASES.includes('throttle')) await throttle(small, records);
  if (CASES.includes('moto')) await moto(small, records);
  say(`load average at the end: ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}`);
} finally {
  await double.stop();
  rmSync(work, { recursive: true, force: true });
  await home.cleanup();
}
