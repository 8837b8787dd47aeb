import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TempcredsError } from '../errors.js';
import { collectFigures, type AgentFigures } from './figures.js';
import { runningAgent } from './pidFile.js';
import { formatBytes } from './plan.js';
import { Spool } from './spool.js';

/** A state directory's figures, and whether its agent runs. */
export interface AgentStatus extends AgentFigures {
  /** The state directory read. */
  stateDir: string;
  /** The pid of the agent running on this state directory, if one is. */
  pid?: number;
}

/** The figures of a state directory, read-only, whether its agent runs or not. */
export function agentStatus(stateDir: string): AgentStatus {
  if (!existsSync(join(stateDir, 'spool.db'))) {
    throw new TempcredsError(`${stateDir} holds no agent state: no agent has run with it.`, {
      kind: 'failed',
      fix: 'Pass the stateDir of the config (--config FILE or --state-dir DIR).',
    });
  }
  const spool = Spool.openReadOnly(stateDir);
  try {
    return { stateDir, pid: runningAgent(stateDir), ...collectFigures(spool) };
  } finally {
    spool.close();
  }
}

const ago = (ms: number, now: number) => `${Math.max(0, Math.round((now - ms) / 1000))} s ago`;

/** `agent status` as text, one line per part. */
export function statusLines(status: AgentStatus, now = Date.now()): string[] {
  const lines = [
    `agent: ${status.pid ? `running (pid ${status.pid})` : 'stopped'}; state in ${status.stateDir}`,
  ];
  for (const f of status.flows) {
    const c = f.counters;
    const spooled =
      f.spool.records === 0
        ? 'spool empty'
        : `${f.spool.records} records spooled (${formatBytes(f.spool.bytes)}, oldest ${ago(f.spool.oldestMs!, now)})`;
    lines.push(
      `flow ${f.name}: ${f.healthy ? 'healthy' : `UNHEALTHY: ${f.reason}`}; ${spooled}; read ${c.read}, spooled ${c.spooled}, delivered ${c.delivered}, retried ${c.retried}, dead-lettered ${c.deadLettered}, bytes lost ${c.bytesLost}; ${f.filesFollowed} files followed, ${formatBytes(f.unreadBytes)} not read yet`,
    );
  }
  for (const s of status.syncs) {
    const last = s.startedMs
      ? `last run ${new Date(s.startedMs).toISOString()}: ${s.result}${s.result === 'running' ? '' : `, ${s.files} files, ${formatBytes(s.bytes)}`}${s.message ? ` (${s.message})` : ''}`
      : 'never run';
    lines.push(
      `sync ${s.name}: ${last}; ${s.runs} runs, ${s.failures} failed, ${s.filesTotal} files and ${formatBytes(s.bytesTotal)} in all`,
    );
  }
  const e = status.credentials.expiration;
  lines.push(
    `credentials: ${e ? `expire ${e} (${Math.round((Date.parse(e) - now) / 60_000)} min from now)` : 'long-term keys, or none yet'}; ${status.credentials.refreshes} refreshes`,
  );
  return lines;
}
