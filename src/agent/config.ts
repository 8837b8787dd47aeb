/** The agent's configuration, checked and typed: what `loadAgentConfig` returns and the rest of the agent uses. */

/** Where the agent's one session comes from. */
export type AgentCredentials =
  | { kind: 'profile'; profile: string }
  | {
      kind: 'role';
      role: string;
      sourceProfile?: string;
      durationSeconds?: number;
      externalId?: string;
      roleSessionName?: string;
    };

/** How a followed file's bytes become records. */
export type RecordFormatConfig =
  { kind: 'lines' } | { kind: 'multiline'; startPattern: RegExp; maxWaitMs: number };

/** Files to a Firehose delivery stream. */
export interface FlowConfig {
  name: string;
  /** Absolute globs. */
  files: string[];
  deliveryStream: string;
  format: RecordFormatConfig;
  /** For the files already there when the flow first starts; files that appear later are read whole. */
  startAt: 'end' | 'beginning';
  appendNewline: boolean;
  flushIntervalMs: number;
  /** A record over Firehose's 1,000 KiB. */
  oversize: 'split' | 'deadLetter';
  /** PutRecordBatch calls in flight. */
  concurrency: number;
}

/** A folder to S3 (or back), run every `everyMs`, never overlapping itself. */
export interface SyncConfig {
  name: string;
  from: string;
  to: string;
  everyMs: number;
  delete: boolean;
  exclude: string[];
  include: string[];
  sizeOnly: boolean;
  checksum: boolean;
}

export interface AgentConfig {
  /** The config file, absolute. */
  file: string;
  credentials: AgentCredentials;
  region?: string;
  endpointUrl?: string;
  stateDir: string;
  pollIntervalMs: number;
  drainTimeoutMs: number;
  /** A flow whose stream AWS refuses waits this long before trying again. */
  refusalRetryMs: number;
  flows: FlowConfig[];
  syncs: SyncConfig[];
  spool: { maxBytes: number };
  server: { enabled: boolean; port: number };
  http?: { host: string; port: number };
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;
export const DEFAULT_POLL_INTERVAL_MS = 250;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_REFUSAL_RETRY_MS = 60_000;
export const DEFAULT_FLOW_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_MULTILINE_MAX_WAIT_MS = 1000;
export const DEFAULT_FLOW_CONCURRENCY = 4;
