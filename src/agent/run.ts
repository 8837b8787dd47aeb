import { mkdirSync } from 'node:fs';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import { ThrottleReports } from '../aws/throttleReports.js';
import type { AwsFiles } from '../config/paths.js';
import { SYNC_CONCURRENCY } from '../s3/linkConcurrency.js';
import type { AgentConfig, FlowConfig, SyncConfig } from './config.js';
import { AgentConfigError } from './configError.js';
import { startAgentSession, type AgentSession } from './credentials.js';
import { engineDelivery, type Deliver, type EngineTuning } from './delivery.js';
import type { AgentEvent } from './events.js';
import { collectFigures, type AgentFigures } from './figures.js';
import { Flow } from './flow.js';
import { startAgentHttp, type AgentHttp, type HealthReport } from './http.js';
import { loadAgentConfig } from './loadConfig.js';
import { createMetrics } from './metrics.js';
import { claimStateDir } from './pidFile.js';
import { startAgentServer } from './server.js';
import { Spool } from './spool.js';
import { isVolatile } from './stateDir.js';
import { SyncJob } from './syncs.js';

/** What `runAgent` needs: the config, the environment, and the process's signals as a stop signal and a reload hook. */
export interface RunAgentOptions {
  /** The config file (YAML or JSON). */
  configFile: string;
  /** The environment the AWS files and endpoints are read from. */
  env: NodeJS.ProcessEnv;
  /** A relative config path is relative to this. */
  cwd: string;
  /** The AWS config and credentials files. */
  files: AwsFiles;
  /** Every event, for the log (one line each). */
  onEvent: (event: AgentEvent) => void;
  /** Aborted on SIGTERM/SIGINT: the agent drains and `runAgent` resolves. */
  stopSignal: AbortSignal;
  /** Registers what SIGHUP does: reload the config. */
  onReload: (reload: () => void) => void;
  /** Tests: the engine's attempts and backoff, smaller records. */
  engine?: EngineTuning;
  /** Tests: a smaller record limit than Firehose's 1,000 KiB. */
  maxRecordBytes?: number;
}

/** A flow that has records but had none accepted for this long is reported unhealthy. */
const STALLED_MS = 60_000;

/**
 * The agent: one process that tails files into the durable spool and delivers them to Firehose,
 * runs the syncs, serves credentials to local processes and answers `/health` and `/metrics`, all
 * on one refreshing session. Resolves after `stopSignal` once everything is drained and committed;
 * rejects (exit 2) on a bad config, or when the session cannot start (exit 1).
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const config = loadAgentConfig(options.configFile, { env: options.env, cwd: options.cwd });
  if (isVolatile(config.stateDir)) {
    options.onEvent({
      type: 'agent.warning',
      message: `stateDir ${config.stateDir} is on a tmpfs: the spool and checkpoints will not survive a reboot. Put stateDir on a disk.`,
    });
  }
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const release = claimStateDir(config.stateDir);
  const spool = Spool.open(config.stateDir);
  const agent = new Supervisor(config, spool, options);
  try {
    await agent.start();
    options.onReload(() => agent.reload());
    await new Promise<void>((stopped) => {
      if (options.stopSignal.aborted) stopped();
      options.stopSignal.addEventListener('abort', () => stopped(), { once: true });
    });
    options.onEvent({
      type: 'agent.stopping',
      signal: String(options.stopSignal.reason ?? 'stop'),
      drainTimeoutMs: agent.config.drainTimeoutMs,
    });
  } finally {
    await agent.stop();
    const spooledRecords = collectFigures(spool).flows.reduce((n, f) => n + f.spool.records, 0);
    spool.close();
    release();
    options.onEvent({ type: 'agent.stopped', spooledRecords });
  }
}

/** The running parts and what changes them: start, reload (SIGHUP), stop. */
class Supervisor {
  private readonly flows = new Map<string, Flow>();
  private readonly syncs = new Map<string, SyncJob>();
  private session: AgentSession | undefined;
  private firehose: FirehoseClient | undefined;
  private s3: S3Client | undefined;
  /** What the S3 client says of throttled attempts, for the syncs' concurrency. */
  private readonly s3Throttling = new ThrottleReports();
  private deliver: Deliver | undefined;
  private closers: (() => Promise<void>)[] = [];
  private full = false;

  constructor(
    public config: AgentConfig,
    private readonly spool: Spool,
    private readonly options: RunAgentOptions,
  ) {}

  async start(): Promise<void> {
    const { onEvent } = this.options;
    this.session = await startAgentSession(this.config, {
      /** The environment the AWS files and endpoints are read from. */
      env: this.options.env,
      /** The AWS config and credentials files. */
      files: this.options.files,
      onRefreshed: (expiration) => {
        this.spool.setAgentValue('credentials.expiration', expiration.toISOString());
        this.spool.bump('credentials', { refreshes: 1 });
        onEvent({ type: 'credentials.refreshed', expiration: expiration.toISOString() });
      },
      onRefreshFailed: (err) =>
        onEvent({
          type: 'credentials.refreshFailed',
          message: err instanceof Error ? err.message : String(err),
        }),
    });
    const expiration = this.session.expiration();
    if (expiration) this.spool.setAgentValue('credentials.expiration', expiration.toISOString());
    const { createFirehoseClient } = await import('../firehose/client.js');
    const ctx = {
      region: this.session.region,
      endpointUrl: this.config.endpointUrl,
      credentials: this.session.provider,
      /** The environment the AWS files and endpoints are read from. */
      env: this.options.env,
    };
    this.firehose = createFirehoseClient(ctx);
    this.deliver = engineDelivery(this.firehose, this.options.engine);
    for (const flow of this.config.flows) this.startFlow(flow);
    for (const sync of this.config.syncs) this.startSync(sync);
    await this.startServers();
    onEvent({
      type: 'agent.started',
      pid: process.pid,
      stateDir: this.config.stateDir,
      flows: this.flows.size,
      syncs: this.syncs.size,
    });
  }

  private async startServers(): Promise<void> {
    if (this.config.server.enabled) {
      const { server, tokenFile } = await startAgentServer(
        this.session!,
        this.config.stateDir,
        this.config.server.port,
        (err) =>
          this.options.onEvent({
            type: 'credentials.refreshFailed',
            message: err instanceof Error ? err.message : String(err),
          }),
      );
      this.closers.push(() => server.close());
      this.options.onEvent({ type: 'server.started', url: server.url, tokenFile });
    }
    if (this.config.http) {
      const metrics = createMetrics(() => this.figures());
      const http: AgentHttp = await startAgentHttp(this.config.http.host, this.config.http.port, {
        health: () => this.health(),
        metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() }),
      });
      this.closers.push(() => http.close());
      this.options.onEvent({ type: 'http.started', url: http.url });
    }
  }

  /**
   * Bytes the spool takes before it holds `maxBytes`: 0 once it is full, until it is down to 90%
   * (says so once when it fills and once when reading resumes).
   */
  private spoolRoom = (): number => {
    const bytes = this.spool.bytes;
    const maxBytes = this.config.spool.maxBytes;
    const full = bytes > 0 && (this.full ? bytes >= maxBytes * 0.9 : bytes >= maxBytes);
    if (full !== this.full) {
      this.full = full;
      this.options.onEvent(
        full ? { type: 'spool.full', bytes, maxBytes } : { type: 'spool.resumed', bytes, maxBytes },
      );
    }
    if (full) return 0;
    return maxBytes - bytes;
  };

  private startFlow(config: FlowConfig): void {
    const flow = new Flow(config, {
      spool: this.spool,
      deliver: this.deliver!,
      stateDir: this.config.stateDir,
      pollIntervalMs: this.config.pollIntervalMs,
      refusalRetryMs: this.config.refusalRetryMs,
      spoolRoom: this.spoolRoom,
      /** Every event, for the log (one line each). */
      onEvent: this.options.onEvent,
      /** Tests: a smaller record limit than Firehose's 1,000 KiB. */
      maxRecordBytes: this.options.maxRecordBytes,
    });
    this.flows.set(config.name, flow);
    flow.start();
  }

  private startSync(config: SyncConfig): void {
    const job = new SyncJob(config, {
      client: () => this.s3Client(),
      throttling: this.s3Throttling,
      spool: this.spool,
      /** Every event, for the log (one line each). */
      onEvent: this.options.onEvent,
    });
    this.syncs.set(config.name, job);
    job.start();
  }

  private async s3Client(): Promise<S3Client> {
    if (!this.s3) {
      const { createS3Client } = await import('../s3/client.js');
      this.s3 = createS3Client(
        {
          region: this.session!.region,
          endpointUrl: this.config.endpointUrl,
          credentials: this.session!.provider,
          /** The environment the AWS files and endpoints are read from. */
          env: this.options.env,
        },
        { maxSockets: SYNC_CONCURRENCY.max, throttling: this.s3Throttling },
      );
    }
    return this.s3;
  }

  figures(): AgentFigures {
    const live = new Map([...this.flows.values()].map((f) => [f.config.name, f.state()]));
    return collectFigures(this.spool, {
      flows: live,
      credentials: {
        expiration: this.session?.expiration(),
        refreshes: this.spool.counters('credentials').refreshes ?? 0,
      },
      maxBytes: this.config.spool.maxBytes,
      full: this.full,
    });
  }

  health(now = Date.now()): HealthReport {
    const reasons: string[] = [];
    const figures = this.figures();
    for (const f of figures.flows.filter((f) => this.flows.has(f.name))) {
      if (!f.healthy) reasons.push(`flow ${f.name}: ${f.reason ?? 'refused'}`);
      else if (
        f.spool.oldestMs !== undefined &&
        now - f.spool.oldestMs > STALLED_MS &&
        this.flows.get(f.name)!.stalledSince(now) > STALLED_MS
      ) {
        reasons.push(
          `flow ${f.name}: no record accepted for ${Math.round(this.flows.get(f.name)!.stalledSince(now) / 1000)} s (${f.spool.records} waiting)`,
        );
      }
    }
    const problem = this.session?.problem(now);
    if (problem) reasons.push(`credentials: ${problem}`);
    if (this.full)
      reasons.push(
        `spool full (${figures.spool.bytes} of ${this.config.spool.maxBytes} bytes): reading is paused`,
      );
    return { healthy: reasons.length === 0, reasons };
  }

  /** SIGHUP: flows and syncs added, removed or changed take effect (their state stays in the spool); other keys need a restart. */
  reload(): void {
    let next: AgentConfig;
    try {
      next = loadAgentConfig(this.options.configFile, { env: this.options.env, cwd: this.options.cwd });
    } catch (err) {
      const message =
        err instanceof AgentConfigError
          ? `${err.message}; fix: ${err.fix}`
          : err instanceof Error
            ? err.message
            : String(err);
      this.options.onEvent({ type: 'agent.reloadFailed', message: `${message} (the running config stays)` });
      return;
    }
    this.apply(next).catch((err: unknown) =>
      this.options.onEvent({
        type: 'agent.reloadFailed',
        message: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  private async apply(next: AgentConfig): Promise<void> {
    const restartKeys = (
      ['credentials', 'region', 'endpointUrl', 'stateDir', 'server', 'http', 'pollIntervalMs'] as const
    ).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.config[k]));
    const flows = await this.reconcile(this.flows, next.flows, (c) => this.startFlow(c), next.drainTimeoutMs);
    const syncs = await this.reconcile(this.syncs, next.syncs, (c) => this.startSync(c), next.drainTimeoutMs);
    this.config = { ...next, ...Object.fromEntries(restartKeys.map((k) => [k, this.config[k]])) };
    this.options.onEvent({
      type: 'agent.reloaded',
      added: [...flows.added, ...syncs.added],
      removed: [...flows.removed, ...syncs.removed],
      changed: [...flows.changed, ...syncs.changed],
    });
    if (restartKeys.length > 0) this.options.onEvent({ type: 'agent.restartNeeded', keys: restartKeys });
  }

  /** Stops what is gone or changed, starts what is new or changed, by name. */
  private async reconcile<
    C extends { name: string },
    R extends { config: C; close(ms: number): Promise<void> },
  >(
    running: Map<string, R>,
    wanted: C[],
    start: (config: C) => void,
    drainTimeoutMs: number,
  ): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    const byName = new Map(wanted.map((c) => [c.name, c]));
    const removed = [...running.keys()].filter((n) => !byName.has(n));
    const changed = [...running.entries()]
      .filter(
        ([n, r]) =>
          byName.has(n) &&
          JSON.stringify(byName.get(n), regexAsText) !== JSON.stringify(r.config, regexAsText),
      )
      .map(([n]) => n);
    const added = wanted.filter((c) => !running.has(c.name)).map((c) => c.name);
    for (const name of [...removed, ...changed]) {
      await running.get(name)!.close(drainTimeoutMs);
      running.delete(name);
    }
    for (const name of [...changed, ...added]) start(byName.get(name)!);
    return { added, removed, changed };
  }

  async stop(): Promise<void> {
    const drain = this.config.drainTimeoutMs;
    await Promise.all([
      ...[...this.flows.values()].map((f) => f.close(drain)),
      ...[...this.syncs.values()].map((s) => s.close(drain)),
    ]);
    for (const close of this.closers.reverse()) await close();
    this.session?.close();
    this.firehose?.destroy();
    this.s3?.destroy();
  }
}

const regexAsText = (_key: string, value: unknown) => (value instanceof RegExp ? value.source : value);
