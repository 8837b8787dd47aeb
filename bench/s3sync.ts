/**
 * Issue 4's `s3 sync` figures, on one local moto (IAM enforcement off: moto's own S3 signature
 * check is broken, see aws-facts.md), same machine, same moment, against the AWS CLI v2:
 *  1. 1,000 files of 4 KiB up to an empty prefix (goal: <= 0.8x `aws s3 sync`);
 *  2. a no-op re-sync of the same (goal: <= 0.5x);
 *  3. peak RSS of a no-op sync over 100,000 files (goal: <= 200 MiB), the AWS CLI's beside it.
 * Beside 1, moto's own CPU time per run (from /proc), and the same upload against a stub S3 that
 * answers at once: what each client costs by itself, without moto's ~5 ms per PutObject; and the
 * floor, the same PUTs from a bare HTTP client (bench/barePuts.mjs) on the same moto.
 * Both tools print their per-file lines (to /dev/null); the AWS CLI gets --no-progress.
 * Run: npm run bench -- s3sync   (S3SYNC_BIG_FILES=20000 for a quicker 3, 0 to skip it)
 * S3SYNC_BASELINE=/path/to/other/bin/tempcreds.cjs adds another build of tempcreds to 1 and 2,
 * taking turns with this one: "did this change make it slower?" on a machine whose load moves.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalAws } from '../test/support/localAws.js';
import { CLI, makeTempHome } from '../test/support/cli.js';
import { awsCliV2, ratioLine, type Timing } from './timing.js';

const SMALL_FILES = 1000;
const SMALL_SIZE = 4096;
const BIG_FILES = Number(process.env.S3SYNC_BIG_FILES ?? 100_000);
const RUNS = Number(process.env.S3SYNC_RUNS ?? 5);
const BARE_PUTS = join(import.meta.dirname, 'barePuts.mjs');
const BASELINE = process.env.S3SYNC_BASELINE;

const aws2 = awsCliV2();
const local = await startLocalAws({ enforce: false });
const motoPid = execFileSync('pgrep', ['-f', `moto.server -H 127.0.0.1 -p ${new URL(local.endpoint).port}`])
  .toString()
  .trim()
  .split('\n')[0]!;
const home = await makeTempHome();
const work = mkdtempSync(join(tmpdir(), 'tempcreds-bench-s3-'));
const admin = new S3Client(local.adminClientConfig());
const env = home.env({
  AWS_ACCESS_KEY_ID: local.admin.accessKeyId,
  AWS_SECRET_ACCESS_KEY: local.admin.secretAccessKey,
  AWS_REGION: local.region,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/** Files in folders of 1,000, as `dir-NNN/file-NNNNNN.dat`. */
function makeTree(root: string, count: number, size: number): void {
  const body = Buffer.alloc(size, 'x');
  for (let i = 0; i < count; i++) {
    const dir = join(root, `dir-${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `file-${String(i).padStart(6, '0')}.dat`), body);
  }
}

/** moto's user + system CPU so far, in ms. */
function motoCpuMs(): number {
  const fields = readFileSync(`/proc/${motoPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
}

interface Run {
  ms: number;
  peakKiB: number;
  /** The command's own CPU (user + system), which the machine's load moves less than wall time. */
  cpuMs: number;
  motoMs: number;
}

/**
 * One command under /usr/bin/time: wall time, peak RSS, and the CPU moto spent meanwhile.
 * Asynchronous on purpose: moto logs every request on the stderr pipe the harness reads, and a
 * blocked event loop would stall it.
 */
async function measure(command: string, args: string[]): Promise<Run> {
  const motoBefore = motoCpuMs();
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', command, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const ms = performance.now() - started;
  if (process.env.S3SYNC_DEBUG)
    process.stderr.write(`${(ms / 1000).toFixed(1)} s: ${command} ${args.join(' ')}\n`);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-800)}`);
  const [peakKiB, user, system] = stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, peakKiB: peakKiB!, cpuMs: (user! + system!) * 1000, motoMs: motoCpuMs() - motoBefore };
}

const tempcreds = (endpoint: string, ...args: string[]) =>
  measure(process.execPath, [CLI, 's3', 'sync', ...args, '--endpoint-url', endpoint]);
const baseline = (endpoint: string, ...args: string[]) =>
  measure(process.execPath, [BASELINE!, 's3', 'sync', ...args, '--endpoint-url', endpoint]);
const awsCli = (endpoint: string, ...args: string[]) =>
  measure(aws2, ['s3', 'sync', ...args, '--no-progress', '--endpoint-url', endpoint]);

function timing(runs: Run[]): Timing {
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, runs: runs.length };
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

/** Two runs in the order of round `i`: this build and the baseline take turns going first. */
async function inTurns(i: number, runs: [() => Promise<unknown>, () => Promise<unknown>]): Promise<void> {
  for (const run of i % 2 === 0 ? runs : [...runs].reverse()) await run();
}

/** This build against S3SYNC_BASELINE's (wall and CPU), and the baseline's own ratio to the AWS CLI. */
function baselineLine(name: string, ours: Run[], before: Run[], theirs: Run[]): string {
  const [now, then, aws] = [timing(ours), timing(before), timing(theirs)];
  const cpu = (runs: Run[]) => median(runs.map((r) => r.cpuMs));
  return `${name}, S3SYNC_BASELINE: ${then.medianMs.toFixed(0)} ms (${(then.medianMs / aws.medianMs).toFixed(3)}x the AWS CLI); this build ${(now.medianMs / then.medianMs).toFixed(3)}x the baseline's wall time, ${(cpu(ours) / cpu(before)).toFixed(3)}x its CPU (${cpu(ours).toFixed(0)} vs ${cpu(before).toFixed(0)} ms)`;
}

/** An S3 that answers at once: PutObject 200, every listing empty. Only the clients' own work is left. */
async function startStubS3(): Promise<{ endpoint: string; stop(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>',
        );
      } else {
        res.writeHead(200, { ETag: '"00000000000000000000000000000000"', 'Content-Length': '0' });
        res.end();
      }
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => server.close(),
  };
}

try {
  await admin.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const small = join(work, 'small');
  makeTree(small, SMALL_FILES, SMALL_SIZE);
  const moto = local.endpoint;

  // 1. Upload to a fresh prefix each run, the two tools taking turns.
  const ours: Run[] = [];
  const theirs: Run[] = [];
  const before: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    theirs.push(await awsCli(moto, small, `s3://bench/aws-${i}/`));
    await inTurns(i, [
      async () => ours.push(await tempcreds(moto, small, `s3://bench/tc-${i}/`)),
      async () => BASELINE && before.push(await baseline(moto, small, `s3://bench/base-${i}/`)),
    ]);
  }
  console.log(`upload ${SMALL_FILES} x ${SMALL_SIZE / 1024} KiB to moto, median of ${RUNS}:`);
  console.log(ratioLine(`  sync up`, timing(ours), timing(theirs), 0.8));
  if (BASELINE) console.log(baselineLine('  sync up', ours, before, theirs));
  console.log(
    `  moto CPU per run: ${median(ours.map((r) => r.motoMs)).toFixed(0)} ms serving tempcreds, ${median(theirs.map((r) => r.motoMs)).toFixed(0)} ms serving aws`,
  );
  // The floor: bare PUTs from a minimal HTTP client (bench/barePuts.mjs), on the same moto.
  const bare: Run[] = [];
  for (let i = 0; i < RUNS; i++)
    bare.push(await measure(process.execPath, [BARE_PUTS, moto, 'bench', `bare-${i}/`, small]));
  console.log(
    `  floor: ${SMALL_FILES} bare HTTP PUTs (no SDK, no signing) ${median(bare.map((r) => r.ms)).toFixed(0)} ms, moto CPU ${median(bare.map((r) => r.motoMs)).toFixed(0)} ms`,
  );
  const stub = await startStubS3();
  try {
    const oursStub: Run[] = [];
    const theirsStub: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      theirsStub.push(await awsCli(stub.endpoint, small, `s3://bench/stub-${i}/`));
      oursStub.push(await tempcreds(stub.endpoint, small, `s3://bench/stub-${i}/`));
    }
    console.log(
      ratioLine(`  same upload, stub S3 (client cost alone)`, timing(oursStub), timing(theirsStub), 0.8),
    );
  } finally {
    stub.stop();
  }

  // 2. The same syncs again: nothing to copy.
  const oursNoop: Run[] = [];
  const theirsNoop: Run[] = [];
  const beforeNoop: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    theirsNoop.push(await awsCli(moto, small, `s3://bench/aws-${i}/`));
    await inTurns(i, [
      async () => oursNoop.push(await tempcreds(moto, small, `s3://bench/tc-${i}/`)),
      async () => BASELINE && beforeNoop.push(await baseline(moto, small, `s3://bench/base-${i}/`)),
    ]);
  }
  console.log(ratioLine(`  no-op re-sync`, timing(oursNoop), timing(theirsNoop), 0.5));
  if (BASELINE) console.log(baselineLine('  no-op re-sync', oursNoop, beforeNoop, theirsNoop));
  console.log(
    `  peak RSS: tempcreds ${mib(Math.max(...oursNoop.map((r) => r.peakKiB)))}, aws ${mib(Math.max(...theirsNoop.map((r) => r.peakKiB)))}`,
  );

  // 3. A big tree, uploaded once by tempcreds itself, then synced again by both.
  if (BIG_FILES > 0) {
    const big = join(work, 'big');
    const started = performance.now();
    makeTree(big, BIG_FILES, 64);
    console.log(
      `\n${BIG_FILES} files of 64 bytes written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const load = await tempcreds(moto, big, 's3://bench/big/', '--concurrency', '16', '--only-show-errors');
    console.log(
      `  uploaded by tempcreds (--concurrency 16) in ${(load.ms / 1000).toFixed(1)} s, peak RSS ${mib(load.peakKiB)}`,
    );
    const noop = await tempcreds(moto, big, 's3://bench/big/');
    const verdict = noop.peakKiB <= 200 * 1024 ? 'meets' : 'MISSES';
    console.log(
      `  no-op sync, tempcreds: ${(noop.ms / 1000).toFixed(1)} s, peak RSS ${mib(noop.peakKiB)} (goal <= 200 MiB: ${verdict})`,
    );
    const theirBig = await awsCli(moto, big, 's3://bench/big/');
    console.log(
      `  no-op sync, aws s3 sync: ${(theirBig.ms / 1000).toFixed(1)} s, peak RSS ${mib(theirBig.peakKiB)}`,
    );
  }
} finally {
  admin.destroy();
  rmSync(work, { recursive: true, force: true });
  await home.cleanup();
  await local.stop();
}
