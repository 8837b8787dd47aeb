import { FLOW_COUNTERS, type FlowCounter, type FlowSpoolStats, type Spool, type SyncRun } from './spool.js';

/** The agent's figures: what `/metrics` exposes and `agent status` prints. */
export interface AgentFigures {
  /** One entry per flow with state in the spool. */
  flows: FlowFigures[];
  /** One entry per sync job that has run. */
  syncs: SyncFigures[];
  /** When the credentials served now expire, and how often they were renewed. */
  credentials: { expiration?: string; refreshes: number };
  /** The spool's bytes, its limit and whether reading is paused. */
  spool: { bytes: number; maxBytes?: number; full: boolean };
}

/** The figures of one flow. */
export interface FlowFigures {
  /** The flow. */
  name: string;
  /** Counts since the state directory was made. */
  counters: Record<FlowCounter, number>;
  /** What the spool holds for the flow. */
  spool: FlowSpoolStats;
  /** Files followed now (stopped: as last seen). */
  filesFollowed: number;
  /** Bytes of the followed files not read yet. */
  unreadBytes: number;
  /** False while AWS refuses the flow's stream. */
  healthy: boolean;
  /** Why not, in AWS's words, with the fix. */
  reason?: string;
}

/** The figures of one sync job: its last run and totals. */
export interface SyncFigures extends SyncRun {
  /** Runs so far. */
  runs: number;
  /** Runs that failed. */
  failures: number;
  /** Files copied or deleted by all runs. */
  filesTotal: number;
  /** Bytes copied by all runs. */
  bytesTotal: number;
}

/** What the running agent knows beyond its spool: live file and credential figures. */
export interface LiveFigures {
  flows: Map<string, { filesFollowed: number; unreadBytes: number; healthy: boolean; reason?: string }>;
  credentials?: { expiration?: Date; refreshes: number };
  maxBytes?: number;
  full?: boolean;
}

/**
 * The figures from a state directory's spool, with what the running agent adds; without it (the
 * agent is stopped) files and unread bytes come from the checkpoints as last seen.
 */
export function collectFigures(spool: Spool, live?: LiveFigures): AgentFigures {
  const names = live ? [...new Set([...live.flows.keys(), ...spool.flowNames()])] : spool.flowNames();
  const flows = names.map((name): FlowFigures => {
    const stored = spool.counters(name);
    const counters = Object.fromEntries(FLOW_COUNTERS.map((c) => [c, stored[c] ?? 0])) as Record<
      FlowCounter,
      number
    >;
    const now = live?.flows.get(name);
    const checkpoints = now ? [] : spool.checkpoints(name).filter((c) => c.state !== 'done');
    const health = now ?? spool.flowHealth(name);
    return {
      name,
      counters,
      spool: spool.stats(name),
      filesFollowed: now ? now.filesFollowed : checkpoints.length,
      unreadBytes: now
        ? now.unreadBytes
        : checkpoints.reduce((sum, c) => sum + Math.max(0, c.size - c.offset), 0),
      healthy: health.healthy,
      reason: health.reason,
    };
  });
  const syncs = spool.syncRuns().map((run): SyncFigures => {
    const c = spool.counters(`sync:${run.name}`);
    return {
      ...run,
      runs: c.runs ?? 0,
      failures: c.failures ?? 0,
      filesTotal: c.files ?? 0,
      bytesTotal: c.bytes ?? 0,
    };
  });
  const stored = spool.counters('credentials');
  const credentials = live?.credentials
    ? { expiration: live.credentials.expiration?.toISOString(), refreshes: live.credentials.refreshes }
    : { expiration: spool.agentValue('credentials.expiration'), refreshes: stored.refreshes ?? 0 };
  const bytes = flows.reduce((sum, f) => sum + f.spool.bytes, 0);
  return { flows, syncs, credentials, spool: { bytes, maxBytes: live?.maxBytes, full: live?.full ?? false } };
}
