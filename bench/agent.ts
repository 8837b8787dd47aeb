/**
 * Issue 10's agent figures: `tempcreds agent run` as a child process following one file, its
 * records going to
 *  1. a Firehose stub that answers PutRecordBatch at once (awsJson1_1, keep-alive): sustained
 *     records/s from a line appended to a record accepted, the agent's CPU per 1,000 records;
 *  2. moto (through a pass-through that times the answers): the same;
 *  3. the stub at 1,000 lines/s: latency from append to acceptance (p50/p99), and the agent's RSS
 *     sampled every second (AGENT_BENCH_MINUTES, default 1; the issue's figure is a 10-minute run).
 * The agent runs with AGENT_NODE_FLAGS (the flags the systemd unit and the README's recipes give
 * it; AGENT_BENCH_NODE_FLAGS="..." to try others, "" for none); the stub's throughput is also
 * measured without them, in the same run, for comparison.
 * Targets: >= 20,000 records/s against the stub; p99 <= flushInterval + 1 s; RSS growth < 10 MiB.
 * Run: npm run bench -- agent
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AGENT_NODE_FLAGS } from '../src/agent/nodeFlags.js';
import { CLI } from '../test/support/cli.js';
import { freePort, startLocalAws } from '../test/support/localAws.js';

const STREAM = 'iot-data-collector';
const THROUGHPUT_LINES = Number(process.env.AGENT_BENCH_LINES ?? 300_000);
const MOTO_LINES = Number(process.env.AGENT_BENCH_MOTO_LINES ?? 50_000);
const MINUTES = Number(process.env.AGENT_BENCH_MINUTES ?? 1);
const FLUSH_MS = 1000;
const NODE_FLAGS =
  process.env.AGENT_BENCH_NODE_FLAGS === undefined
    ? [...AGENT_NODE_FLAGS]
    : process.env.AGENT_BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
const flagsName = (flags: readonly string[]) => (flags.length ? flags.join(' ') : 'no node flags');

/** Where accepted records are counted: each line carries `seq appendedAtMs`. */
interface Acceptance {
  accepted: number;
  latencies: number[];
  lastAt: number;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

function account(body: Buffer, seen: Acceptance): void {
  const now = Date.now();
  const { Records } = JSON.parse(body.toString()) as { Records: { Data: string }[] };
  for (const r of Records) {
    const text = Buffer.from(r.Data, 'base64').toString();
    seen.latencies.push(now - Number(text.split(' ')[1]));
  }
  seen.accepted += Records.length;
  seen.lastAt = now;
}

/** The stub: PutRecordBatch answered at once, every record accepted; or, with `forward`, moto's answer passed on. */
async function startStub(
  current: () => Acceptance,
  forward?: URL,
): Promise<{ endpoint: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (!forward) {
      const n = (JSON.parse(body.toString()) as { Records: unknown[] }).Records.length;
      const answer = JSON.stringify({
        FailedPutCount: 0,
        Encrypted: false,
        RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `r${i}` })),
      });
      account(body, current());
      res.writeHead(200, {
        'Content-Type': 'application/x-amz-json-1.1',
        'Content-Length': Buffer.byteLength(answer),
      });
      return res.end(answer);
    }
    const upstream = request(
      {
        host: forward.hostname,
        port: forward.port,
        method: req.method,
        path: req.url,
        headers: req.rawHeaders,
      },
      async (answer) => {
        const text = await readBody(answer);
        const target = String(req.headers['x-amz-target'] ?? '');
        if (answer.statusCode === 200 && target.endsWith('PutRecordBatch')) account(body, current());
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        res.end(text);
      },
    );
    upstream.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** CPU seconds (user + system) and RSS (MiB) of a process, from /proc. */
function usage(pid: number): { cpu: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return { cpu: ticks / 100, rssMiB: Number(rss) / 1024 };
}

interface Agent {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startAgent(
  dir: string,
  endpoint: string,
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[],
  httpPort?: number,
): Promise<Agent> {
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    [
      'credentials: { profile: bench }',
      'region: us-east-1',
      `endpointUrl: ${endpoint}`,
      `stateDir: ${join(dir, 'state')}`,
      ...(httpPort ? [`http: { listen: "127.0.0.1:${httpPort}" }`] : []),
      'flows:',
      `  - { name: bench, files: ["${join(dir, 'logs', '*.log')}"], deliveryStream: ${STREAM}, startAt: beginning, flushInterval: ${FLUSH_MS}ms${process.env.AGENT_BENCH_CONCURRENCY ? `, concurrency: ${process.env.AGENT_BENCH_CONCURRENCY}` : ''} }`,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [...nodeFlags, CLI, 'agent', 'run', '--config', config], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((ready, fail) => {
    child.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
      if (log.includes('"agent.started"')) ready();
    });
    child.on('exit', (code) => fail(new Error(`the agent exited ${code}:\n${log}`)));
  });
  return {
    child,
    stop: () =>
      new Promise<void>((done) => {
        child.removeAllListeners('exit');
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function workspace(keys: { accessKeyId: string; secretAccessKey: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'tempcreds-bench-agent-'));
  const home = join(dir, 'home');
  writeFileSync(
    join(dir, 'credentials'),
    `[bench]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
  );
  writeFileSync(join(dir, 'config'), '[profile bench]\nregion = us-east-1\n');
  const env = {
    ...process.env,
    HOME: home,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  return { dir, env };
}

const line = (seq: number) =>
  `${seq} ${Date.now()} {"sensor":"s-${seq % 50}","t":${(20 + (seq % 70) / 10).toFixed(1)}}\n`;

/** Appends `lines` as fast as the disk takes them (in 1,000-line writes), then waits for the last acceptance. */
async function throughput(
  name: string,
  endpoint: string,
  seen: Acceptance,
  lines: number,
  keys: { accessKeyId: string; secretAccessKey: string },
  nodeFlags = NODE_FLAGS,
) {
  const { dir, env } = workspace(keys);
  const file = join(dir, 'logs', 'bench.log');
  emptyDir(join(dir, 'logs'));
  const agent = await startAgent(dir, endpoint, env, nodeFlags);
  const before = usage(agent.child.pid!);
  const started = Date.now();
  for (let seq = 0; seq < lines; seq += 1000) {
    appendFileSync(
      file,
      Array.from({ length: Math.min(1000, lines - seq) }, (_, i) => line(seq + i)).join(''),
    );
    if (seq % 20_000 === 0) await new Promise((r) => setImmediate(r));
  }
  const appended = Date.now();
  while (seen.accepted < lines) await new Promise((r) => setTimeout(r, 20));
  const after = usage(agent.child.pid!);
  const seconds = (seen.lastAt - started) / 1000;
  const cpu = after.cpu - before.cpu;
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${name} (${flagsName(nodeFlags)}): ${lines.toLocaleString('en-US')} records in ${seconds.toFixed(1)} s (appending took ${((appended - started) / 1000).toFixed(1)} s) -> ${Math.round(lines / seconds).toLocaleString('en-US')} records/s; agent CPU ${cpu.toFixed(1)} s (${((cpu / seconds) * 100).toFixed(0)}% of a core), ${((cpu / lines) * 1000 * 1000).toFixed(1)} ms per 1,000 records`,
  );
  return lines / seconds;
}

function emptyDir(path: string) {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** 1,000 lines/s (10 every 10 ms) for `minutes`: latency percentiles and the agent's RSS. */
async function steady(
  endpoint: string,
  seen: Acceptance,
  keys: { accessKeyId: string; secretAccessKey: string },
) {
  const { dir, env } = workspace(keys);
  const file = join(dir, 'logs', 'bench.log');
  emptyDir(join(dir, 'logs'));
  const port = await freePort();
  const agent = await startAgent(dir, endpoint, env, NODE_FLAGS, port);
  const rss: number[] = [];
  const heap = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const mib = (name: string) =>
      (Number(new RegExp(`^tempcreds_agent_${name} (\\S+)$`, 'm').exec(text)?.[1]) / 1024 / 1024).toFixed(1);
    const space = (name: string) => mib(`nodejs_heap_space_size_total_bytes\\{space="${name}"\\}`);
    return `heap used ${mib('nodejs_heap_size_used_bytes')} of ${mib('nodejs_heap_size_total_bytes')} MiB (new space ${space('new')}, old space ${space('old')}), external ${mib('nodejs_external_memory_bytes')} MiB`;
  };
  const sampler = setInterval(() => {
    rss.push(usage(agent.child.pid!).rssMiB);
    if (rss.length % 60 === 10)
      void heap().then((h) =>
        console.log(`  at ${rss.length} s: RSS ${rss[rss.length - 1]!.toFixed(0)} MiB, ${h}`),
      );
  }, 1000);
  const before = usage(agent.child.pid!);
  const end = Date.now() + MINUTES * 60_000;
  let seq = 0;
  const started = Date.now();
  while (Date.now() < end) {
    const due = Date.now() - started; // lines due by now at 1,000 a second
    if (due > seq) {
      appendFileSync(file, Array.from({ length: due - seq }, (_, i) => line(seq + i)).join(''));
      seq = due;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  while (seen.accepted < seq) await new Promise((r) => setTimeout(r, 20));
  clearInterval(sampler);
  const cpu = usage(agent.child.pid!).cpu - before.cpu;
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  const sorted = [...seen.latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  // Growth from 10 s on (start-up done), and from 60 s on (V8 has sized its heap for the allocation rate).
  const warm = rss.slice(Math.min(10, rss.length - 1));
  const growth = warm[warm.length - 1]! - warm[0]!;
  const settled = rss.length > 120 ? rss[rss.length - 1]! - rss[59]! : undefined;
  console.log(
    `1,000 lines/s for ${MINUTES} min (${flagsName(NODE_FLAGS)}, ${seq.toLocaleString('en-US')} records, flushInterval ${FLUSH_MS} ms): latency append -> accepted p50 ${p50} ms, p99 ${p99} ms, max ${sorted[sorted.length - 1]} ms (target p99 <= ${FLUSH_MS + 1000} ms: ${p99 <= FLUSH_MS + 1000 ? 'met' : 'MISSED'}); CPU ${((cpu / seq) * 1000 * 1000).toFixed(1)} ms per 1,000 records`,
  );
  console.log(
    `RSS: ${rss[0]?.toFixed(0)} MiB at 1 s, ${warm[0]?.toFixed(0)} MiB at 10 s, ${rss[59] === undefined ? '' : `${rss[59].toFixed(0)} MiB at 60 s, `}${Math.max(...rss).toFixed(0)} MiB peak, ${rss[rss.length - 1]?.toFixed(0)} MiB at the end: growth from 10 s ${growth.toFixed(1)} MiB (target < 10 MiB: ${growth < 10 ? 'met' : 'MISSED'})${settled === undefined ? '' : `, from 60 s ${settled.toFixed(1)} MiB (${settled < 10 ? 'met' : 'MISSED'})`}`,
  );
}

const stubKeys = { accessKeyId: 'AKIDBENCHSTUB', secretAccessKey: 'stub-secret' };
const fresh = (): Acceptance => ({ accepted: 0, latencies: [], lastAt: 0 });

console.log(
  `The agent runs as: ${['node', ...NODE_FLAGS, 'bin/tempcreds.cjs agent run --config F'].join(' ')}`,
);
let seen = fresh();
const stub = await startStub(() => seen);
try {
  const rate = await throughput('stub', stub.endpoint, seen, THROUGHPUT_LINES, stubKeys);
  console.log(`target >= 20,000 records/s against the stub: ${rate >= 20_000 ? 'met' : 'MISSED'}`);
  if (NODE_FLAGS.length) {
    seen = fresh();
    await throughput('stub', stub.endpoint, seen, THROUGHPUT_LINES, stubKeys, []);
  }

  const local = await startLocalAws({ region: 'us-east-1', enforce: false });
  try {
    const admin = local.adminClientConfig();
    await new S3Client(admin).send(new CreateBucketCommand({ Bucket: 'serverless-hands-on' }));
    await new FirehoseClient(admin).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: STREAM,
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::123456789012:role/firehose_delivery_role',
          BucketARN: 'arn:aws:s3:::serverless-hands-on',
          Prefix: 'bench/',
        },
      }),
    );
    seen = fresh();
    const timing = await startStub(() => seen, new URL(local.endpoint));
    await throughput('moto', timing.endpoint, seen, MOTO_LINES, local.admin);
    timing.server.close();
  } finally {
    await local.stop();
  }

  seen = fresh();
  await steady(stub.endpoint, seen, stubKeys);
} finally {
  stub.server.close();
  stub.server.closeAllConnections();
}
