import type { Registry } from 'prom-client';
import type { AgentFigures } from './figures.js';
import { promClient } from './deps.js';

const COUNTER_HELP: Record<string, string> = {
  read: "Records read from the flow's files (lines, or multiline records).",
  spooled: 'Records written to the spool.',
  delivered: 'Records Firehose accepted (and that left the spool).',
  retried: 'Records sent again (failed entries, throttled or lost calls).',
  deadLettered: 'Records over 1,000 KiB written to a dead-letter file instead.',
  bytesLost: 'Bytes of followed files that were gone before they were read (deleted or truncated).',
};

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The Prometheus registry of the agent (prom-client): every figure is read from `figures()` at
 * scrape time, so the metrics always agree with the spool and with `agent status`.
 */
export function createMetrics(figures: () => AgentFigures): {
  registry: Registry;
  text(): Promise<string>;
  contentType: string;
} {
  const prom = promClient();
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: 'tempcreds_agent_' });
  let current: AgentFigures | undefined;
  const latest = () => (current ??= figures());
  const ctx: MetricsContext = { prom, registry, latest };
  flowMetrics(ctx);
  syncMetrics(ctx);
  agentMetrics(ctx);

  return {
    registry,
    contentType: registry.contentType,
    async text() {
      current = undefined;
      try {
        return await registry.metrics();
      } finally {
        current = undefined;
      }
    },
  };
}

interface MetricsContext {
  prom: ReturnType<typeof promClient>;
  registry: Registry;
  /** The figures of this scrape (read once per scrape). */
  latest: () => AgentFigures;
}

/** Per flow: the counters, the spool, the files, health. */
function flowMetrics({ prom, registry, latest }: MetricsContext): void {
  for (const [counter, help] of Object.entries(COUNTER_HELP)) {
    const name =
      counter === 'bytesLost'
        ? 'tempcreds_agent_bytes_lost_total'
        : `tempcreds_agent_records_${snake(counter)}_total`;
    new prom.Counter({
      name,
      help,
      labelNames: ['flow'],
      registers: [registry],
      collect() {
        this.reset();
        for (const f of latest().flows)
          this.inc({ flow: f.name }, f.counters[counter as keyof typeof f.counters]);
      },
    });
  }
  const flowGauge = (name: string, help: string, value: (f: AgentFigures['flows'][number]) => number) =>
    labeledGauge(prom, registry, 'flow', () => latest().flows, name, help, value);
  flowGauge(
    'tempcreds_agent_spool_records',
    'Records in the spool, not yet accepted by Firehose.',
    (f) => f.spool.records,
  );
  flowGauge('tempcreds_agent_spool_bytes', 'Bytes of the records in the spool.', (f) => f.spool.bytes);
  flowGauge(
    'tempcreds_agent_spool_oldest_record_age_seconds',
    'Age of the oldest record in the spool (0 when empty).',
    (f) => (f.spool.oldestMs === undefined ? 0 : Math.max(0, (Date.now() - f.spool.oldestMs) / 1000)),
  );
  flowGauge('tempcreds_agent_files_followed', 'Files the flow follows now.', (f) => f.filesFollowed);
  flowGauge(
    'tempcreds_agent_unread_bytes',
    'Bytes of the followed files not read yet.',
    (f) => f.unreadBytes,
  );
  flowGauge(
    'tempcreds_agent_flow_healthy',
    '1 while the flow delivers, 0 while AWS refuses its stream.',
    (f) => (f.healthy ? 1 : 0),
  );
}

/** Per sync job: its last run and totals. */
function syncMetrics({ prom, registry, latest }: MetricsContext): void {
  const syncGauge = (
    name: string,
    help: string,
    value: (s: AgentFigures['syncs'][number]) => number | undefined,
  ) => labeledGauge(prom, registry, 'sync', () => latest().syncs, name, help, value);
  syncGauge(
    'tempcreds_agent_sync_last_run_timestamp_seconds',
    'When the last run of the sync started.',
    (s) => (s.startedMs ?? undefined) && s.startedMs! / 1000,
  );
  syncGauge('tempcreds_agent_sync_last_success', '1 when the last run succeeded, 0 when it failed.', (s) =>
    s.result === 'ok' ? 1 : s.result === 'failed' ? 0 : undefined,
  );
  syncGauge('tempcreds_agent_sync_last_files', 'Files copied or deleted by the last run.', (s) => s.files);
  syncGauge('tempcreds_agent_sync_last_bytes', 'Bytes copied by the last run.', (s) => s.bytes);
  syncGauge('tempcreds_agent_sync_runs', 'Runs of the sync so far.', (s) => s.runs);
  syncGauge('tempcreds_agent_sync_files', 'Files copied or deleted by all runs.', (s) => s.filesTotal);
  syncGauge('tempcreds_agent_sync_bytes', 'Bytes copied by all runs.', (s) => s.bytesTotal);
}

/** The session and the spool as a whole. */
function agentMetrics({ prom, registry, latest }: MetricsContext): void {
  new prom.Gauge({
    name: 'tempcreds_agent_credentials_expiry_seconds',
    help: 'Seconds until the credentials served now expire (absent for long-term keys).',
    registers: [registry],
    collect() {
      this.reset();
      const e = latest().credentials.expiration;
      if (e) this.set((Date.parse(e) - Date.now()) / 1000);
    },
  });
  new prom.Counter({
    name: 'tempcreds_agent_credentials_refreshes_total',
    help: "Renewals of the agent's session.",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(latest().credentials.refreshes);
    },
  });
  new prom.Gauge({
    name: 'tempcreds_agent_spool_full',
    help: '1 while the spool holds spool.maxBytes or more and reading is paused.',
    registers: [registry],
    collect() {
      this.set(latest().spool.full ? 1 : 0);
    },
  });
}

/** A gauge with one label (the flow's or sync's name), one value per item of the scrape; undefined leaves it out. */
function labeledGauge<T extends { name: string }>(
  prom: ReturnType<typeof promClient>,
  registry: Registry,
  label: string,
  items: () => readonly T[],
  name: string,
  help: string,
  value: (item: T) => number | undefined,
): void {
  new prom.Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const item of items()) {
        const v = value(item);
        if (v !== undefined) this.set({ [label]: item.name }, v);
      }
    },
  });
}
