import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import { sqlite } from './deps.js';

/*
 * The durable spool: SQLite in WAL mode (better-sqlite3). A record read from a file is inserted in
 * the same transaction as that file's new checkpoint, so a crash at any instant neither loses a
 * line that was read nor reads a spooled line again; a record is deleted only once Firehose has
 * accepted it. The counters that `agent status` shows live here too, updated in those same
 * transactions, so they are right after a crash and readable while the agent is stopped.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: delivery reads on from the last id it took
  flow TEXT NOT NULL,
  data BLOB NOT NULL,
  spooled_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_flow ON records (flow, id);
CREATE TABLE IF NOT EXISTS files (
  flow TEXT NOT NULL,
  dev TEXT NOT NULL,
  ino TEXT NOT NULL,
  path TEXT NOT NULL,
  fp_len INTEGER NOT NULL,
  fp TEXT NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  state TEXT NOT NULL,
  seen_ms INTEGER NOT NULL,
  PRIMARY KEY (flow, dev, ino)
);
CREATE TABLE IF NOT EXISTS counters (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (scope, name)
);
CREATE TABLE IF NOT EXISTS flows (
  name TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  healthy INTEGER NOT NULL DEFAULT 1,
  reason TEXT
);
CREATE TABLE IF NOT EXISTS syncs (
  name TEXT PRIMARY KEY,
  started_ms INTEGER,
  finished_ms INTEGER,
  result TEXT,
  files INTEGER,
  bytes INTEGER,
  message TEXT
);
CREATE TABLE IF NOT EXISTS agent (key TEXT PRIMARY KEY, value TEXT);
`;

/** Where a followed file has been read to, and how to know it again (see `tail.ts`). */
export interface FileCheckpoint {
  flow: string;
  dev: string;
  ino: string;
  path: string;
  /** Length and sha256 (hex) of the file's first bytes when last read. */
  fpLen: number;
  fp: string;
  /** Bytes consumed: everything before this is in the spool (or was dead-lettered). */
  offset: number;
  /** The file's size when last looked at, to say how much was lost if it disappears. */
  size: number;
  /** `active`: followed at its path; `rotated`: renamed or deleted, being read to its end; `done`: read to its end. */
  state: 'active' | 'rotated' | 'done';
}

/** What a flow counts, persisted with the records they count. */
export type FlowCounter = 'read' | 'spooled' | 'delivered' | 'retried' | 'deadLettered' | 'bytesLost';

export const FLOW_COUNTERS: readonly FlowCounter[] = [
  'read',
  'spooled',
  'delivered',
  'retried',
  'deadLettered',
  'bytesLost',
];

/** A spooled record as delivery gets it. */
export interface SpooledRecord {
  id: number;
  data: Buffer;
}

/** The last run of a sync job. */
export interface SyncRun {
  /** The sync job. */
  name: string;
  /** When the last run started. */
  startedMs: number | null;
  /** When it ended (null while it runs). */
  finishedMs: number | null;
  /** How it ended. */
  result: 'ok' | 'failed' | 'running' | null;
  /** Files it copied or deleted. */
  files: number;
  /** Bytes it copied. */
  bytes: number;
  /** Why it failed. */
  message: string | null;
}

/** What the spool holds for one flow. */
export interface FlowSpoolStats {
  /** Records spooled and not yet accepted. */
  records: number;
  /** Their bytes. */
  bytes: number;
  /** When the oldest record still spooled went in; undefined when none is. */
  oldestMs: number | undefined;
}

/** Records per multi-row INSERT: one call into SQLite for many rows (about 3x faster than one each). */
const INSERT_ROWS = 64;

interface Statements {
  insert: Statement;
  insertMany: Statement;
  upsertFile: Statement;
  bump: Statement;
  next: Statement;
  remove: Statement;
}

/** The spool of one state directory. One writer (the agent); `agent status` opens it read-only. */
export class Spool {
  readonly db: Database;
  private readonly statements: Statements;
  /** Bytes and records per flow, kept in memory (the spool-full check runs on every read). */
  private readonly held = new Map<string, { records: number; bytes: number }>();
  private totalBytes = 0;

  private constructor(
    db: Database,
    readonly path: string,
    readonly readOnly: boolean,
  ) {
    this.db = db;
    if (!readOnly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit survives a crash of the process; a power loss may roll back the last
      // commits, and then a checkpoint and its records go back together (read again, never lost).
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
    }
    db.pragma('busy_timeout = 5000');
    this.statements = readOnly
      ? ({} as Statements)
      : {
          insert: db.prepare('INSERT INTO records (flow, data, spooled_ms) VALUES (?, ?, ?)'),
          insertMany: db.prepare(
            `INSERT INTO records (flow, data, spooled_ms) VALUES ${Array(INSERT_ROWS).fill('(?, ?, ?)').join(', ')}`,
          ),
          upsertFile: db.prepare(
            `INSERT INTO files (flow, dev, ino, path, fp_len, fp, offset, size, state, seen_ms)
             VALUES (@flow, @dev, @ino, @path, @fpLen, @fp, @offset, @size, @state, @seenMs)
             ON CONFLICT (flow, dev, ino) DO UPDATE SET path = @path, fp_len = @fpLen, fp = @fp,
               offset = @offset, size = @size, state = @state, seen_ms = @seenMs`,
          ),
          bump: db.prepare(
            `INSERT INTO counters (scope, name, value) VALUES (?, ?, ?)
             ON CONFLICT (scope, name) DO UPDATE SET value = value + excluded.value`,
          ),
          next: db.prepare('SELECT id, data FROM records WHERE flow = ? AND id > ? ORDER BY id LIMIT ?'),
          remove: db.prepare('DELETE FROM records WHERE id BETWEEN ? AND ?'),
        };
    for (const row of db
      .prepare('SELECT flow, count(*) AS n, coalesce(sum(length(data)), 0) AS b FROM records GROUP BY flow')
      .all() as { flow: string; n: number; b: number }[]) {
      this.held.set(row.flow, { records: row.n, bytes: row.b });
      this.totalBytes += row.b;
    }
  }

  /** Opens (creating the folder, mode 0700, and the database) the spool of `stateDir`. */
  static open(stateDir: string): Spool {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = join(stateDir, 'spool.db');
    return new Spool(new (sqlite())(path), path, false);
  }

  /** Opens an existing spool to read figures from, beside a running agent (WAL readers do not block it). */
  static openReadOnly(stateDir: string): Spool {
    const path = join(stateDir, 'spool.db');
    return new Spool(new (sqlite())(path, { readonly: true, fileMustExist: true }), path, true);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Bytes of record data held for every flow together (the spool's size for `maxBytes`). */
  get bytes(): number {
    return this.totalBytes;
  }

  private hold(flow: string, records: number, bytes: number): void {
    const h = this.held.get(flow) ?? { records: 0, bytes: 0 };
    h.records += records;
    h.bytes += bytes;
    this.held.set(flow, h);
    this.totalBytes += bytes;
  }

  /**
   * In one transaction: the records read from a file, its new checkpoint, and the counters that
   * count them. Either all of it is on disk after a crash or none of it is.
   */
  append(
    flow: string,
    records: readonly Uint8Array[],
    checkpoint: FileCheckpoint,
    counts: Partial<Record<FlowCounter, number>>,
    now = Date.now(),
  ): void {
    let bytes = 0;
    for (const data of records) bytes += data.length;
    this.db.transaction(() => {
      let i = 0;
      const values: unknown[] = [];
      for (; i + INSERT_ROWS <= records.length; i += INSERT_ROWS) {
        values.length = 0;
        for (let j = i; j < i + INSERT_ROWS; j++) values.push(flow, toBuffer(records[j]!), now);
        this.statements.insertMany.run(values);
      }
      for (; i < records.length; i++) this.statements.insert.run(flow, toBuffer(records[i]!), now);
      this.saveCheckpointNow(checkpoint, now);
      this.bumpNow(flow, counts);
    })();
    this.hold(flow, records.length, bytes);
  }

  /** A checkpoint alone (a new file, a rotation, a file read to its end). */
  saveCheckpoint(checkpoint: FileCheckpoint, counts: Partial<Record<FlowCounter, number>> = {}): void {
    this.db.transaction(() => {
      this.saveCheckpointNow(checkpoint, Date.now());
      this.bumpNow(checkpoint.flow, counts);
    })();
  }

  private saveCheckpointNow(c: FileCheckpoint, now: number): void {
    this.statements.upsertFile.run({ ...c, seenMs: now });
  }

  forgetFile(flow: string, dev: string, ino: string): void {
    this.db.prepare('DELETE FROM files WHERE flow = ? AND dev = ? AND ino = ?').run(flow, dev, ino);
  }

  checkpoints(flow: string): FileCheckpoint[] {
    return (
      this.db
        .prepare(
          'SELECT flow, dev, ino, path, fp_len AS fpLen, fp, offset, size, state FROM files WHERE flow = ?',
        )
        .all(flow) as FileCheckpoint[]
    ).map((c) => ({ ...c }));
  }

  private bumpNow(scope: string, counts: Partial<Record<string, number>>): void {
    for (const [name, n] of Object.entries(counts)) if (n) this.statements.bump.run(scope, name, n);
  }

  /** Adds to counters outside a record transaction (retries, sync figures). */
  bump(scope: string, counts: Partial<Record<string, number>>): void {
    this.bumpNow(scope, counts);
  }

  counters(scope: string): Record<string, number> {
    const rows = this.db.prepare('SELECT name, value FROM counters WHERE scope = ?').all(scope) as {
      name: string;
      value: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  /** Up to `limit` records of a flow after id `afterId`, oldest first. */
  next(flow: string, afterId: number, limit: number): SpooledRecord[] {
    return this.statements.next.all(flow, afterId, limit) as SpooledRecord[];
  }

  /** The spooled records with these ids (those still there). */
  byIds(ids: readonly number[]): SpooledRecord[] {
    const get = this.db.prepare('SELECT id, data FROM records WHERE id = ?');
    return ids
      .map((id) => get.get(id) as SpooledRecord | undefined)
      .filter((r): r is SpooledRecord => r !== undefined);
  }

  /** Firehose accepted these: they leave the spool, and `delivered` counts them, in one transaction. */
  remove(flow: string, records: readonly { id: number; bytes: number }[]): void {
    if (records.length === 0) return;
    let bytes = 0;
    for (const r of records) bytes += r.bytes;
    // Delivered ids come mostly in runs (a batch is a run of the spool): one statement per run.
    const ids = records.map((r) => r.id).sort((a, b) => a - b);
    this.db.transaction(() => {
      let first = ids[0]!;
      for (let i = 1; i <= ids.length; i++) {
        if (i < ids.length && ids[i] === ids[i - 1]! + 1) continue;
        this.statements.remove.run(first, ids[i - 1]);
        first = ids[i]!;
      }
      this.bumpNow(flow, { delivered: records.length });
    })();
    this.hold(flow, -records.length, -bytes);
  }

  stats(flow: string): FlowSpoolStats {
    const h = this.held.get(flow);
    const oldest = this.db
      .prepare('SELECT spooled_ms AS ms FROM records WHERE flow = ? ORDER BY id LIMIT 1')
      .get(flow) as { ms: number } | undefined;
    if (this.readOnly) {
      const row = this.db
        .prepare('SELECT count(*) AS n, coalesce(sum(length(data)), 0) AS b FROM records WHERE flow = ?')
        .get(flow) as { n: number; b: number };
      return { records: row.n, bytes: row.b, oldestMs: oldest?.ms };
    }
    return { records: h?.records ?? 0, bytes: h?.bytes ?? 0, oldestMs: oldest?.ms };
  }

  /** Flows that have state here: those seen in a config once, and any with records left. */
  flowNames(): string[] {
    const rows = this.db
      .prepare('SELECT name FROM flows UNION SELECT DISTINCT flow AS name FROM records ORDER BY name')
      .all() as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** Registers a flow; true when it is new here (its `startAt` applies then, and only then). */
  registerFlow(name: string, now = Date.now()): boolean {
    return (
      this.db.prepare('INSERT OR IGNORE INTO flows (name, created_ms) VALUES (?, ?)').run(name, now)
        .changes === 1
    );
  }

  setFlowHealth(name: string, healthy: boolean, reason: string | undefined): void {
    this.db
      .prepare('UPDATE flows SET healthy = ?, reason = ? WHERE name = ?')
      .run(healthy ? 1 : 0, reason ?? null, name);
  }

  flowHealth(name: string): { healthy: boolean; reason: string | undefined } {
    const row = this.db.prepare('SELECT healthy, reason FROM flows WHERE name = ?').get(name) as
      { healthy: number; reason: string | null } | undefined;
    return { healthy: row ? row.healthy === 1 : true, reason: row?.reason ?? undefined };
  }

  saveSyncRun(run: SyncRun): void {
    this.db
      .prepare(
        `INSERT INTO syncs (name, started_ms, finished_ms, result, files, bytes, message)
         VALUES (@name, @startedMs, @finishedMs, @result, @files, @bytes, @message)
         ON CONFLICT (name) DO UPDATE SET started_ms = @startedMs, finished_ms = @finishedMs,
           result = @result, files = @files, bytes = @bytes, message = @message`,
      )
      .run(run);
  }

  syncRuns(): SyncRun[] {
    return this.db
      .prepare(
        'SELECT name, started_ms AS startedMs, finished_ms AS finishedMs, result, files, bytes, message FROM syncs ORDER BY name',
      )
      .all() as SyncRun[];
  }

  setAgentValue(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO agent (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  agentValue(key: string): string | undefined {
    return (
      this.db.prepare('SELECT value FROM agent WHERE key = ?').get(key) as { value: string } | undefined
    )?.value;
  }

  /** Gives back the pages freed by deleted records, a few at a time (the file does not grow forever). */
  compact(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }
}

const toBuffer = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
