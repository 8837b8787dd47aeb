import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseRoleRef } from '../aws/arn.js';
import { isRegionName } from '../aws/partition.js';
import { TempcredsError } from '../errors.js';
import { parseLocation } from '../s3/location.js';
import { syncEnds } from '../s3/options.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_FLOW_FLUSH_INTERVAL_MS,
  DEFAULT_MULTILINE_MAX_WAIT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_REFUSAL_RETRY_MS,
  DEFAULT_SPOOL_MAX_BYTES,
  type AgentConfig,
  type AgentCredentials,
  type FlowConfig,
  type RecordFormatConfig,
  type SyncConfig,
} from './config.js';
import type { ConfigIssue } from './configError.js';
import type { ConfigPath, ParsedConfig } from './configFile.js';
import { picomatch, tinyglobby } from './deps.js';
import { agentSessionOptions, ROLE_ONLY_KEYS } from './sessionOptions.js';
import { stateDirProblem } from './stateDir.js';
import { formatInterval, parseByteSize, parseInterval } from './units.js';

/* The checks a schema cannot make: ranges of durations and sizes, globs, patterns, names used twice,
 * files two flows would both read, the state folder. Run after the schema, on a value that passed it. */

type Raw = Record<string, unknown>;

interface Checker {
  parsed: ParsedConfig;
  issues: ConfigIssue[];
  fail(path: ConfigPath, message: string, fix: string): void;
}

const MINUTE = 60_000;

/** A duration at `path` within [min, max], or `fallback` when absent. */
function duration(
  c: Checker,
  raw: Raw,
  key: string,
  path: ConfigPath,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = raw[key] as string | number | undefined;
  if (value === undefined) return fallback;
  const ms = parseInterval(value);
  if (ms === undefined || ms < min || ms > max) {
    c.fail(
      [...path, key],
      `${key} ${JSON.stringify(value)} is out of range: from ${formatInterval(min)} to ${formatInterval(max)}.`,
      `Write e.g. ${key}: ${formatInterval(fallback)}`,
    );
    return fallback;
  }
  return ms;
}

/** The config's region when it is one (a bad one is reported by itself). */
function regionOf(raw: Raw): string | undefined {
  return typeof raw.region === 'string' && isRegionName(raw.region) ? raw.region : undefined;
}

function credentialsOf(c: Checker, raw: Raw): AgentCredentials {
  const creds = raw.credentials as Raw;
  if (typeof creds.profile === 'string') {
    // A profile's session is made as the profile says: a role key beside it would be silently lost.
    const roleKey = ROLE_ONLY_KEYS.find((key) => creds[key] !== undefined);
    if (roleKey) {
      c.fail(
        ['credentials', roleKey],
        `credentials.${roleKey} goes with role, not with profile: the profile's session is made as the profile says.`,
        `Write credentials: { role: ROLE, sourceProfile: ${creds.profile}, ${roleKey}: ... } to assume a role with it.`,
      );
    }
    return { kind: 'profile', profile: creds.profile };
  }
  const role = creds.role as string;
  try {
    parseRoleRef(role);
  } catch (err) {
    c.fail(
      ['credentials', 'role'],
      err instanceof Error ? err.message : String(err),
      'Write a role name (target-role-name) or a role ARN (arn:aws:iam::123456789012:role/name).',
    );
  }
  return {
    kind: 'role',
    role,
    sourceProfile: creds.sourceProfile as string | undefined,
    durationSeconds: creds.durationSeconds as number | undefined,
    externalId: creds.externalId as string | undefined,
    roleSessionName: creds.roleSessionName as string | undefined,
    session: agentSessionOptions(creds, regionOf(raw), (key, message, fix) =>
      c.fail(['credentials', key], message, fix),
    ),
  };
}

/** A glob's problem, or undefined: absolute, and one picomatch can compile with strict brackets. */
function globProblem(glob: string): string | undefined {
  if (!isAbsolute(glob)) return 'is not absolute';
  if (glob.endsWith('/')) return 'names a folder, not files';
  try {
    picomatch().makeRe(glob, { strictBrackets: true, strictSlashes: true });
  } catch (err) {
    return `is not a valid glob (${err instanceof Error ? err.message : String(err)})`;
  }
  if ((glob.match(/\{/g) ?? []).length !== (glob.match(/\}/g) ?? []).length)
    return 'is not a valid glob (unbalanced { })';
  return undefined;
}

function formatOf(c: Checker, raw: Raw, path: ConfigPath): RecordFormatConfig {
  const format = raw.format as string | { multiline: Raw } | undefined;
  if (format === undefined || format === 'lines') return { kind: 'lines' };
  const multiline = (format as { multiline: Raw }).multiline;
  const at = [...path, 'format', 'multiline'];
  let startPattern = /^/;
  try {
    startPattern = new RegExp(multiline.startPattern as string);
  } catch (err) {
    c.fail(
      [...at, 'startPattern'],
      `startPattern is not a regular expression: ${err instanceof Error ? err.message : String(err)}.`,
      'Write a JavaScript regular expression, e.g. startPattern: "^\\\\d{4}-" (backslashes doubled inside double quotes).',
    );
  }
  const maxWaitMs = duration(c, multiline, 'maxWait', at, DEFAULT_MULTILINE_MAX_WAIT_MS, 10, 60 * MINUTE);
  return { kind: 'multiline', startPattern, maxWaitMs };
}

function flowOf(c: Checker, raw: Raw, i: number): FlowConfig {
  const path = ['flows', i];
  const files = raw.files as string[];
  files.forEach((glob, j) => {
    const problem = globProblem(glob);
    if (problem)
      c.fail(
        [...path, 'files', j],
        `files[${j}] "${glob}" ${problem}.`,
        'Write an absolute path or glob, e.g. /var/log/collector/*.log (*, **, ?, [abc] and {a,b} work).',
      );
  });
  return {
    name: raw.name as string,
    files,
    deliveryStream: raw.deliveryStream as string,
    format: formatOf(c, raw, path),
    startAt: (raw.startAt as 'end' | 'beginning' | undefined) ?? 'end',
    appendNewline: (raw.appendNewline as boolean | undefined) ?? true,
    flushIntervalMs: duration(c, raw, 'flushInterval', path, DEFAULT_FLOW_FLUSH_INTERVAL_MS, 1, 15 * MINUTE),
    oversize: (raw.oversize as 'split' | 'deadLetter' | undefined) ?? 'deadLetter',
    concurrency: raw.concurrency as number | undefined,
  };
}

const patterns = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as string[]) : [value as string];

function syncOf(c: Checker, raw: Raw, i: number): SyncConfig {
  const path = ['syncs', i];
  const from = raw.from as string;
  const to = raw.to as string;
  const local = [from, to].find((p) => !p.startsWith('s3://'));
  try {
    if (local !== undefined && !isAbsolute(local)) {
      throw new TempcredsError(`"${local}" is not absolute.`, {
        kind: 'usage',
        fix: 'Write the local folder as an absolute path, e.g. /var/lib/collector/out.',
      });
    }
    syncEnds(parseLocation(from, '/'), parseLocation(to, '/'));
  } catch (err) {
    const e = err instanceof TempcredsError ? err : undefined;
    c.fail(
      [...path, to.startsWith('s3://') ? 'from' : 'to'],
      `syncs[${i}]: ${e?.message ?? String(err)}`,
      e?.fix ?? 'One end is s3://bucket/prefix/, the other an absolute folder.',
    );
  }
  return {
    name: raw.name as string,
    from,
    to,
    everyMs: duration(c, raw, 'every', path, 5 * MINUTE, 1000, 7 * 24 * 60 * MINUTE),
    delete: (raw.delete as boolean | undefined) ?? false,
    exclude: patterns(raw.exclude),
    include: patterns(raw.include),
    sizeOnly: (raw.sizeOnly as boolean | undefined) ?? false,
    checksum: (raw.checksum as boolean | undefined) ?? false,
  };
}

/** Names given twice in a list: the second one is the issue. */
function uniqueNames(c: Checker, list: { name: string }[], key: string): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const first = seen.get(item.name);
    if (first !== undefined)
      c.fail(
        [key, i, 'name'],
        `${key}[${i}] has the name "${item.name}" of ${key}[${first}].`,
        'Give each one its own name: its state is kept under it.',
      );
    else seen.set(item.name, i);
  });
}

/**
 * Two flows must not read the same file (each would ship it, and their checkpoints would fight):
 * the same glob twice, a path one flow names that another's glob matches, or a file on disk now
 * that both match.
 */
function noSharedFiles(c: Checker, flows: FlowConfig[]): void {
  const matchers = flows.map((f) => f.files.map((g) => ({ glob: g, match: picomatch()(g, { dot: true }) })));
  const existing = flows.map((f) => {
    const literal = f.files.filter((g) => !picomatch().scan(g).isGlob);
    const globbed = f.files.filter((g) => picomatch().scan(g).isGlob && !globProblem(g));
    return [...literal.filter((p) => existsSync(p)), ...globFiles(globbed)];
  });
  for (let b = 1; b < flows.length; b++) {
    for (let a = 0; a < b; a++) {
      const clash =
        flows[b]!.files.find((g) => flows[a]!.files.includes(g)) ??
        flows[b]!.files.find((g) => !picomatch().scan(g).isGlob && matchers[a]!.some((m) => m.match(g))) ??
        flows[a]!.files.find((g) => !picomatch().scan(g).isGlob && matchers[b]!.some((m) => m.match(g))) ??
        existing[b]!.find((p) => existing[a]!.includes(p));
      if (clash) {
        c.fail(
          ['flows', b, 'files'],
          `flows[${b}] "${flows[b]!.name}" and flows[${a}] "${flows[a]!.name}" would both read ${clash}.`,
          'Make the globs of the two flows match different files (one flow can list several globs).',
        );
      }
    }
  }
}

/** The files matching absolute globs now (at most a few thousand are looked at). */
export function globFiles(globs: readonly string[]): string[] {
  const out: string[] = [];
  for (const glob of globs) {
    const { base, glob: rest } = picomatch().scan(glob);
    if (!rest) {
      if (existsSync(glob)) out.push(glob);
      continue;
    }
    if (!existsSync(base)) continue;
    out.push(
      ...tinyglobby().globSync([rest], {
        cwd: base,
        absolute: true,
        onlyFiles: true,
        dot: true,
        followSymbolicLinks: true,
      }),
    );
  }
  return [...new Set(out)];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function httpOf(c: Checker, raw: Raw): AgentConfig['http'] {
  const http = raw.http as { listen: string } | undefined;
  if (!http) return undefined;
  const at = http.listen.lastIndexOf(':');
  const host = http.listen.slice(0, at);
  const port = Number(http.listen.slice(at + 1));
  if (!LOOPBACK.has(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    c.fail(
      ['http', 'listen'],
      `http.listen "${http.listen}" is not a loopback address: /metrics and /health would be open to the network.`,
      'Listen on loopback, e.g. listen: "127.0.0.1:9464"; put a proxy in front to expose it.',
    );
  }
  if (!(port >= 1 && port <= 65535))
    c.fail(
      ['http', 'listen'],
      `http.listen port ${port} is not from 1 to 65535.`,
      'Write e.g. listen: "127.0.0.1:9464".',
    );
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

function checkRegion(c: Checker, raw: Raw): void {
  if (raw.region !== undefined && !isRegionName(raw.region as string)) {
    c.fail(
      ['region'],
      `region "${String(raw.region)}" is not a region name.`,
      'Write e.g. region: cn-northwest-1',
    );
  }
}

/** `stateDir`, or the default for this user, if the agent can keep its state there. */
function stateDirOf(c: Checker, raw: Raw, defaultStateDir: string): string {
  const stateDir = (raw.stateDir as string | undefined) ?? defaultStateDir;
  const problem = stateDirProblem(stateDir);
  if (problem) {
    c.fail(
      raw.stateDir === undefined ? [] : ['stateDir'],
      `the agent cannot keep its state in ${stateDir}: ${problem}.`,
      raw.stateDir === undefined
        ? 'Add stateDir: /a/folder/you/can/write, or run as a user who can write there.'
        : 'Point stateDir at a folder this user can write (it is created when missing).',
    );
  }
  return stateDir;
}

function spoolMaxBytesOf(c: Checker, raw: Raw): number {
  const spool = raw.spool as Raw | undefined;
  const maxBytes =
    spool?.maxBytes !== undefined ? parseByteSize(spool.maxBytes as string) : DEFAULT_SPOOL_MAX_BYTES;
  if (maxBytes === undefined || maxBytes < 1024)
    c.fail(
      ['spool', 'maxBytes'],
      `spool.maxBytes ${JSON.stringify(spool?.maxBytes)} is below 1KiB.`,
      'Write e.g. maxBytes: 1GiB',
    );
  return maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
}

/** The checked, typed config; throws nothing: problems go to `issues`. */
export function checkConfig(
  parsed: ParsedConfig,
  defaults: { stateDir: string },
): { config: AgentConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const c: Checker = {
    parsed,
    issues,
    fail: (path, message, fix) => issues.push(parsed.issue(path, message, fix)),
  };
  const raw = parsed.value as Raw;
  checkRegion(c, raw);
  const stateDir = stateDirOf(c, raw, defaults.stateDir);
  const maxBytes = spoolMaxBytesOf(c, raw);
  const flows = ((raw.flows as Raw[] | undefined) ?? []).map((f, i) => flowOf(c, f, i));
  const syncs = ((raw.syncs as Raw[] | undefined) ?? []).map((s, i) => syncOf(c, s, i));
  uniqueNames(c, flows, 'flows');
  uniqueNames(c, syncs, 'syncs');
  noSharedFiles(c, flows);
  const server = (raw.server as Raw | undefined) ?? {};
  const config: AgentConfig = {
    file: parsed.file,
    credentials: credentialsOf(c, raw),
    region: raw.region as string | undefined,
    endpointUrl: raw.endpointUrl as string | undefined,
    stateDir,
    pollIntervalMs: duration(c, raw, 'pollInterval', [], DEFAULT_POLL_INTERVAL_MS, 10, 10_000),
    drainTimeoutMs: duration(c, raw, 'drainTimeout', [], DEFAULT_DRAIN_TIMEOUT_MS, 1000, 10 * MINUTE),
    refusalRetryMs: duration(c, raw, 'refusalRetry', [], DEFAULT_REFUSAL_RETRY_MS, 1000, 60 * MINUTE),
    flows,
    syncs,
    spool: { maxBytes },
    server: {
      enabled: (server.enabled as boolean | undefined) ?? false,
      port: (server.port as number | undefined) ?? 0,
    },
    http: httpOf(c, raw),
  };
  if (flows.length === 0 && syncs.length === 0 && !config.server.enabled) {
    c.fail(
      [],
      'the config has no flows, no syncs and no server: the agent would have nothing to do.',
      'Add a flow (files to Firehose), a sync (a folder to S3), or server: { enabled: true }.',
    );
  }
  return { config, issues };
}
