/** The agent's configuration, checked and typed: what `loadAgentConfig` returns and the rest of the agent uses. */
import type { AgentSessionOptions } from './sessionOptions.js';

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
      /** Tags, transitive keys, SourceIdentity and session policies, checked (src/agent/sessionOptions.ts). */
      session?: AgentSessionOptions;
    };

/** How a followed file's bytes become records. */
export type RecordFormatConfig =
  { kind: 'lines' } | { kind: 'multiline'; startPattern: RegExp; maxWaitMs: number };

/** Files to a Firehose delivery stream. */
export interface FlowConfig {
  /** The flow's name: its state in the spool is kept under it. */
  name: string;
  /** Absolute globs. */
  files: string[];
  /** The Firehose delivery stream its records go to. */
  deliveryStream: string;
  /** Lines, or multiline records. */
  format: RecordFormatConfig;
  /** For the files already there when the flow first starts; files that appear later are read whole. */
  startAt: 'end' | 'beginning';
  /** End every record with a newline. */
  appendNewline: boolean;
  /** A batch that is not full goes out this long after its first record. */
  flushIntervalMs: number;
  /** A record over Firehose's 1,000 KiB. */
  oversize: 'split' | 'deadLetter';
  /** PutRecordBatch calls in flight, pinned; undefined: fitted to the link (`streamConcurrency`). */
  concurrency?: number;
}

/** A folder to S3 (or back), run every `everyMs`, never overlapping itself. */
export interface SyncConfig {
  /** The job's name: its runs are recorded under it. */
  name: string;
  /** A folder, or `s3://bucket/prefix/`. */
  from: string;
  /** `s3://bucket/prefix/`, or a folder. */
  to: string;
  /** A run starts this long after the previous one started (or when it ends, if later). */
  everyMs: number;
  /** Remove what the source no longer has. */
  delete: boolean;
  /** `--exclude` patterns, applied before `include`. */
  exclude: string[];
  /** `--include` patterns, applied after `exclude`. */
  include: string[];
  /** Copy only when sizes differ. */
  sizeOnly: boolean;
  /** Compare same-size files by ETag. */
  checksum: boolean;
}

/** The agent's configuration, every value checked (see `loadAgentConfig`). */
export interface AgentConfig {
  /** The config file, absolute. */
  file: string;
  /** Where the one session comes from. */
  credentials: AgentCredentials;
  /** The region (default: the profile's). */
  region?: string;
  /** Every AWS call goes here (a local AWS). */
  endpointUrl?: string;
  /** The spool, checkpoints, dead letters and the server token. */
  stateDir: string;
  /** How often followed files are looked at. */
  pollIntervalMs: number;
  /** On SIGTERM, how long calls in flight may take. */
  drainTimeoutMs: number;
  /** A flow whose stream AWS refuses waits this long before trying again. */
  refusalRetryMs: number;
  /** Files to Firehose. */
  flows: FlowConfig[];
  /** Folders to S3. */
  syncs: SyncConfig[];
  /** Reading pauses once the spool holds `maxBytes`. */
  spool: { maxBytes: number };
  /** The container-credentials endpoint for local processes (`port` 0: any free one). */
  server: { enabled: boolean; port: number };
  /** `/health` and `/metrics` on a loopback address. */
  http?: { host: string; port: number };
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;
export const DEFAULT_POLL_INTERVAL_MS = 250;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_REFUSAL_RETRY_MS = 60_000;
export const DEFAULT_FLOW_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_MULTILINE_MAX_WAIT_MS = 1000;
