/**
 * The commands bench/wan times, each run as a child process with a clean environment: tempcreds
 * (this build, and WAN_BASELINE's), the AWS CLI v2 and rclone. Each run says how long it took,
 * how many connections it opened on the link, and (tempcreds with --debug) how its concurrency moved.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsDouble } from '../test/support/wan/awsDouble.js';
import type { LinkProxy } from '../test/support/wan/linkProxy.js';
import { CLI } from '../test/support/cli.js';

export interface Run {
  ms: number;
  /** Connections the command opened on the link. */
  connections: number;
  /** Bytes it sent over the link, and when the first and the last of them left it. */
  bytesUp: number;
  upMs: number;
  /** The S3 double's count of body bytes (PutObject, UploadPart) and the time from the first to the last. */
  bodyBytes: number;
  bodyMs: number;
  /** tempcreds' `--debug` concurrency lines: the limit after each. */
  limits: number[];
  /** Of those, the changes for throttling. */
  throttledChanges: number;
  /** Peak RSS in KiB, for a command run through {@link withPeakRss}. */
  peakKiB?: number;
}

const PEAK = 'peak-rss-kib';

/** `command args` under GNU time, which prints the peak RSS that `measure` reads (of the largest process). */
export const withPeakRss = (command: string, args: string[]): [string, string[]] => [
  '/usr/bin/time',
  ['-f', `${PEAK} %M`, command, ...args],
];

export interface Tools {
  env: NodeJS.ProcessEnv;
  /** The double behind the link, whose counts are zeroed before each run. */
  double?: AwsDouble;
  aws: string;
  /** A file for rclone's configuration, rewritten for each endpoint. */
  rcloneConfig: string;
}

/** Runs a command to its end; a failure ends the benchmark with its stderr. */
export async function measure(
  tools: Tools,
  link: LinkProxy | undefined,
  command: string,
  args: string[],
): Promise<Run> {
  link?.resetStats();
  tools.double?.s3.resetStats();
  const started = performance.now();
  const child = spawn(command, args, { env: tools.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-1500)}`);
  const lines = [...stderr.matchAll(/concurrency (?:\d+ -> )?(\d+): (\w[\w ]*)/g)];
  const stats = link?.stats;
  const bodies = tools.double?.s3.stats;
  return {
    bodyBytes: bodies?.bodyBytes ?? 0,
    bodyMs: bodies?.firstBodyAt === undefined ? 0 : bodies.lastBodyAt! - bodies.firstBodyAt,
    ms,
    connections: stats?.connections ?? 0,
    bytesUp: stats?.bytesUp ?? 0,
    upMs: stats?.firstUpAt !== undefined ? stats.lastUpAt! - stats.firstUpAt : 0,
    limits: lines.map((m) => Number(m[1])),
    throttledChanges: lines.filter((m) => m[2] === 'throttled').length,
    peakKiB: Number(new RegExp(`${PEAK} (\\d+)`).exec(stderr)?.[1]) || undefined,
  };
}

/** `tempcreds s3 sync` (another build's launcher with `cli`), with per-file lines dropped. */
export const tempcredsSync = (tools: Tools, link: LinkProxy, args: string[], cli = CLI) =>
  measure(tools, link, process.execPath, [
    cli,
    's3',
    'sync',
    ...args,
    '--endpoint-url',
    link.endpoint,
    '--debug',
  ]);

export const awsSync = (tools: Tools, link: LinkProxy, args: string[]) =>
  measure(tools, link, tools.aws, ['s3', 'sync', ...args, '--no-progress', '--endpoint-url', link.endpoint]);

/**
 * `rclone copy` with its defaults (4 transfers, 8 checkers), configured for the local S3 in a
 * file of its own. `rclone sync` would also delete; copy is what the other tools do here.
 */
export function rcloneCopy(tools: Tools, link: LinkProxy, from: string, to: string): Promise<Run> {
  writeFileSync(
    tools.rcloneConfig,
    [
      '[wan]',
      'type = s3',
      'provider = Other',
      'access_key_id = AKIDEXAMPLE',
      'secret_access_key = secret',
      `endpoint = ${link.endpoint}`,
      'force_path_style = true',
      'region = us-east-1',
      '',
    ].join('\n'),
  );
  return measure(tools, link, 'rclone', ['--config', tools.rcloneConfig, 'copy', from, `wan:${to}`]);
}

export const tempcredsFirehose = (
  tools: Tools,
  link: LinkProxy,
  stream: string,
  file: string,
  extra: string[] = [],
) =>
  measure(tools, link, process.execPath, [
    CLI,
    'firehose',
    'put',
    stream,
    '--file',
    file,
    '--endpoint-url',
    link.endpoint,
    '--debug',
    ...extra,
  ]);

/** The AWS CLI's way: one `put-record-batch` process per 500 records, one after another. */
export function awsFirehose(
  tools: Tools,
  link: LinkProxy,
  stream: string,
  batchFiles: string[],
  dir: string,
) {
  const script = join(dir, `aws-firehose-${link.endpoint.split(':').pop()}.sh`);
  writeFileSync(
    script,
    [
      'set -e',
      ...batchFiles.map(
        (f) =>
          `${tools.aws} firehose put-record-batch --delivery-stream-name ${stream} --records file://${f} --endpoint-url ${link.endpoint} > /dev/null`,
      ),
    ].join('\n') + '\n',
  );
  return measure(tools, link, 'bash', [script]);
}

/** Median and range of wall times: `2,941 ms (2,702–3,310)`. */
export function range(runs: Run[]): { median: number; min: number; max: number; text: string } {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  return { median, min: ms[0]!, max: ms.at(-1)!, text: `${f(median)} ms (${f(ms[0]!)}–${f(ms.at(-1)!)})` };
}
