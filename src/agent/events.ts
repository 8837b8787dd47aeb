import type { ConcurrencyReason } from '../aws/adaptiveConcurrency.js';
import type { TailEvent } from './tail.js';

/**
 * Everything the agent has to say, one event per log line (the CLI writes them: JSON when not on a
 * terminal). No event carries a secret.
 */
export type AgentEvent =
  | (TailEvent & { flow: string })
  | { type: 'agent.started'; pid: number; stateDir: string; flows: number; syncs: number }
  | { type: 'agent.stopping'; signal: string; drainTimeoutMs: number }
  | { type: 'agent.stopped'; spooledRecords: number }
  | { type: 'agent.reloaded'; added: string[]; removed: string[]; changed: string[] }
  | { type: 'agent.reloadFailed'; message: string }
  | { type: 'agent.restartNeeded'; keys: string[] }
  | { type: 'agent.warning'; message: string }
  | { type: 'flow.started'; flow: string; deliveryStream: string }
  | { type: 'flow.stopped'; flow: string }
  | { type: 'flow.refused'; flow: string; reason: string; retryInMs: number }
  | { type: 'flow.recovered'; flow: string }
  | {
      type: 'records.requeued';
      flow: string;
      records: number;
      errorCode?: string;
      errorMessage?: string;
      retryInMs: number;
    }
  | { type: 'spool.full'; bytes: number; maxBytes: number }
  | { type: 'spool.resumed'; bytes: number; maxBytes: number }
  | { type: 'credentials.refreshed'; expiration: string }
  | { type: 'credentials.refreshFailed'; message: string }
  | { type: 'sync.started'; sync: string }
  | {
      type: 'sync.finished';
      sync: string;
      files: number;
      bytes: number;
      deleted: number;
      failed: number;
      durationMs: number;
    }
  | { type: 'sync.failed'; sync: string; message: string }
  /** A sync's requests in flight changed (it fits the link; `throttled`: S3 asked it to slow down). */
  | { type: 'sync.concurrency'; sync: string; from: number; to: number; reason: ConcurrencyReason }
  /** A flow's calls in flight changed (it fits the link; `throttled`: Firehose asked it to slow down). */
  | { type: 'flow.concurrency'; flow: string; from: number; to: number; reason: ConcurrencyReason }
  | { type: 'server.started'; url: string; tokenFile: string }
  | { type: 'http.started'; url: string };

/** Events worth a `warn` level in logs; the rest are `info`. */
export function levelOf(event: AgentEvent): 'info' | 'warn' | 'error' {
  switch (event.type) {
    case 'file.lost':
    case 'flow.refused':
    case 'sync.failed':
    case 'credentials.refreshFailed':
    case 'agent.reloadFailed':
    case 'tail.error':
      return 'error';
    case 'file.truncated':
      return event.lostBytes > 0 ? 'error' : 'info';
    case 'spool.full':
    case 'records.requeued':
    case 'record.deadLettered':
    case 'agent.warning':
    case 'agent.restartNeeded':
      return 'warn';
    default:
      return 'info';
  }
}
