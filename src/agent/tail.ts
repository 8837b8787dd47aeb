import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FlowConfig } from './config.js';
import { globFiles } from './configChecks.js';
import { streamLongLine, writeDeadLetter, type DeadLetterPlace } from './deadLetter.js';
import {
  fingerprint,
  FINGERPRINT_BYTES,
  identityKey,
  sameStart,
  statFd,
  statPath,
  type FileIdentity,
} from './fileId.js';
import { cutRecords, type CutResult } from './records.js';
import type { FileCheckpoint, FlowCounter, Spool } from './spool.js';

/** What the tailer tells about the files it follows (the supervisor logs them). */
export type TailEvent =
  | { type: 'file.followed'; path: string; offset: number }
  | { type: 'file.rotated'; path: string; how: 'renamed' | 'deleted' }
  | { type: 'file.truncated'; path: string; lostBytes: number; fromCopy?: string }
  | { type: 'file.released'; path: string }
  | { type: 'file.lost'; path: string; lostBytes: number; why: string }
  | { type: 'record.deadLettered'; path: string; offset: number; file: string; bytes: number }
  | { type: 'tail.error'; path: string; message: string };

export interface TailOptions {
  flow: FlowConfig;
  spool: Spool;
  /** The flow has no state yet: `startAt` applies to the files there now. */
  firstStart: boolean;
  deadLetterDir: string;
  onEvent: (event: TailEvent) => void;
  /** Bytes the spool takes before it is full: reading pauses at 0, and a read takes at most this much (4 KiB at least, all it can when the spool is empty). */
  room: () => number;
  /** Firehose's 1,000 KiB unless a test says otherwise. */
  maxRecordBytes?: number;
  /** Bytes per read (default 2 MiB: more than one record). */
  readBytes?: number;
  /** A rotated file is let go once read to its end and quiet for this long (default 2 s). */
  rotateWaitMs?: number;
  /** A file read to its end that has not grown for this long is closed until it grows (default 5 min). */
  idleCloseMs?: number;
  /** Globs are expanded again at most this often (default 1 s). */
  discoverEveryMs?: number;
  now?: () => number;
}

interface Tracked extends FileCheckpoint {
  fd: number;
  /** Size at the last look, and when it last grew. */
  lastSize: number;
  lastGrowthMs: number;
  rotatedAtMs?: number;
}

const MAX_RECORD_BYTES = 1000 * 1024;
/** The smallest read while the spool is nearly full (it may go over `maxBytes` by this much). */
const MIN_READ_BYTES = 4096;

/**
 * Follows the files of one flow: every file matching its globs (also files that appear later),
 * through rotation by rename (the renamed file is read to its end before it is let go, also after
 * a restart) and by copytruncate (a file that shrank, or whose first bytes changed, starts again
 * from 0, after the rest of the old content is read from the copy when one is beside it). Records
 * go to the spool in one transaction with the file's checkpoint. Synchronous: call `tick()` on a
 * timer.
 */
export class FlowTailer {
  private readonly tracked = new Map<string, Tracked>();
  private readonly saved = new Map<string, FileCheckpoint>();
  private readonly buf: Buffer;
  private readonly now: () => number;
  private lastDiscovery = -Infinity;
  private started = false;

  constructor(private readonly o: TailOptions) {
    this.buf = Buffer.allocUnsafe(o.readBytes ?? 2 * 1024 * 1024);
    this.now = o.now ?? Date.now;
    for (const c of o.spool.checkpoints(o.flow.name)) this.saved.set(identityKey(c), c);
  }

  /** Files followed, and the bytes they hold that are not read yet. */
  stats(): { files: number; unreadBytes: number } {
    let unreadBytes = 0;
    for (const t of this.tracked.values()) unreadBytes += Math.max(0, t.lastSize - t.offset);
    return { files: this.tracked.size, unreadBytes };
  }

  /** One pass: new files, new bytes, rotations. Returns the bytes read. */
  tick(): number {
    const now = this.now();
    if (now - this.lastDiscovery >= (this.o.discoverEveryMs ?? 1000)) {
      this.lastDiscovery = now;
      this.discover();
    }
    let read = 0;
    for (const t of [...this.tracked.values()]) {
      try {
        read += this.follow(t, now);
      } catch (err) {
        this.o.onEvent({
          type: 'tail.error',
          path: t.path,
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return read;
  }

  /** Closes every file (the checkpoints are already on disk). */
  close(): void {
    for (const t of this.tracked.values()) closeSync(t.fd);
    this.tracked.clear();
  }

  private emit(event: TailEvent): void {
    this.o.onEvent(event);
  }

  private discover(): void {
    for (const path of globFiles(this.o.flow.files)) {
      const found = statPath(path);
      if (!found) continue;
      const key = identityKey(found.id);
      const t = this.tracked.get(key);
      if (t) {
        if (t.path !== path || t.state !== 'active')
          Object.assign(t, { path, state: 'active', rotatedAtMs: undefined });
        continue;
      }
      // A file read to its end and let go stays closed until it grows (rotated files a glob matches).
      const saved = this.saved.get(key);
      if (saved?.state === 'done' && found.size === saved.offset) continue;
      this.adopt(path, found.id, 'active');
    }
    if (!this.started) {
      this.started = true;
      this.recoverUnseen();
    }
  }

  /**
   * After a restart, checkpoints whose file no glob matches: a file renamed away while the agent
   * was down is found beside its old path by its identity and read to its end; one that is gone
   * is reported with the bytes lost.
   */
  private recoverUnseen(): void {
    for (const [key, c] of this.saved) {
      if (this.tracked.has(key)) continue;
      const renamed =
        c.state === 'done'
          ? undefined
          : this.findBeside(c.path, (path, id) => identityKey(id) === key && this.startsAs(path, c));
      if (renamed) {
        this.adopt(renamed, c, 'rotated');
        continue;
      }
      this.saved.delete(key);
      this.o.spool.forgetFile(c.flow, c.dev, c.ino);
      if (c.state !== 'done' && c.size > c.offset)
        this.lose(c.path, c.size - c.offset, 'it was deleted before it was read to its end');
    }
  }

  private lose(path: string, lostBytes: number, why: string): void {
    this.o.spool.bump(this.o.flow.name, { bytesLost: lostBytes });
    this.emit({ type: 'file.lost', path, lostBytes, why });
  }

  /** A regular file in the folder of `path` for which `test` holds. */
  private findBeside(
    path: string,
    test: (path: string, id: FileIdentity, size: number) => boolean,
  ): string | undefined {
    let names: string[];
    try {
      names = readdirSync(dirname(path));
    } catch {
      return undefined;
    }
    for (const name of names) {
      const candidate = join(dirname(path), name);
      const found = statPath(candidate);
      if (found && !this.tracked.has(identityKey(found.id)) && test(candidate, found.id, found.size))
        return candidate;
    }
    return undefined;
  }

  private startsAs(path: string, c: { fpLen: number; fp: string }): boolean {
    const fd = openSync(path, 'r');
    try {
      return sameStart(fd, c);
    } finally {
      closeSync(fd);
    }
  }

  /** Starts following a file: from its checkpoint when it is the same file, else from where `startAt` says. */
  private adopt(path: string, id: FileIdentity, state: 'active' | 'rotated', fromOffset?: number): void {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return; // gone between the listing and the open: the next discovery decides
    }
    const key = identityKey(id);
    const { size } = statFd(fd);
    const saved = this.saved.get(key);
    let offset: number;
    const copyOf = saved ? undefined : this.copyOf(fd, key, path);
    if (fromOffset !== undefined) offset = fromOffset;
    else if (saved && sameStart(fd, saved)) offset = saved.offset;
    else if (copyOf && size >= copyOf.offset) offset = copyOf.offset;
    else {
      // Same inode, other first bytes: truncated and written again while the agent was away, or a new file.
      if (saved && saved.state !== 'done') {
        const { lostBytes, copy } = this.resumeFromCopy(saved, saved.size);
        this.emit({ type: 'file.truncated', path: saved.path, lostBytes, fromCopy: copy });
      }
      offset =
        this.o.firstStart && !this.started && this.o.flow.startAt === 'end' ? this.lastLineEnd(fd, size) : 0;
    }
    const t: Tracked = {
      flow: this.o.flow.name,
      ...id,
      path,
      ...fingerprint(fd),
      offset,
      size,
      state,
      fd,
      lastSize: size,
      lastGrowthMs: this.now(),
      rotatedAtMs: state === 'rotated' ? this.now() : undefined,
    };
    this.tracked.set(key, t);
    this.checkpoint(t);
    this.emit({ type: 'file.followed', path, offset });
  }

  /**
   * The checkpoint this new file is a copy of (copytruncate's copy, which a glob like `app.log*`
   * matches): one beside it with the same first bytes, whose own file no longer starts with them.
   */
  private copyOf(fd: number, key: string, path: string): FileCheckpoint | undefined {
    const mine = fingerprint(fd);
    for (const [k, c] of this.saved) {
      if (k === key || c.fpLen !== mine.fpLen || c.fp !== mine.fp || dirname(c.path) !== dirname(path))
        continue;
      const t = this.tracked.get(k);
      if (t ? !sameStart(t.fd, c) : !this.stillStartsAs(c)) return c;
    }
    return undefined;
  }

  /** True when the file of a checkpoint is still where it was seen and starts as it did. */
  private stillStartsAs(c: FileCheckpoint): boolean {
    const found = statPath(c.path);
    return found !== undefined && identityKey(found.id) === identityKey(c) && this.startsAs(c.path, c);
  }

  /** Just after the file's last newline: `startAt: end` never starts inside a line. */
  private lastLineEnd(fd: number, size: number): number {
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - this.buf.length);
      const n = readSync(fd, this.buf, 0, end - start, start);
      const lf = this.buf.subarray(0, n).lastIndexOf(0x0a);
      if (lf !== -1) return start + lf + 1;
      end = start;
    }
    return 0;
  }

  private checkpoint(
    t: Tracked,
    counts: Partial<Record<FlowCounter, number>> = {},
    records?: Uint8Array[],
  ): void {
    const c: FileCheckpoint = {
      flow: t.flow,
      dev: t.dev,
      ino: t.ino,
      path: t.path,
      fpLen: t.fpLen,
      fp: t.fp,
      offset: t.offset,
      size: t.lastSize,
      state: t.state,
    };
    if (records) this.o.spool.append(t.flow, records, c, counts);
    else this.o.spool.saveCheckpoint(c, counts);
    this.saved.set(identityKey(t), c);
  }

  /** New bytes of one file, then its rotation and release. */
  private follow(t: Tracked, now: number): number {
    const st = statFd(t.fd);
    if (st.size > t.lastSize) t.lastGrowthMs = now;
    if (st.size < t.offset || (t.fpLen > 0 && !sameStart(t.fd, t))) this.truncated(t, st.size);
    t.lastSize = st.size;
    const read = this.readNew(t, st.size, now);
    if (t.fpLen < FINGERPRINT_BYTES && t.lastSize > t.fpLen) Object.assign(t, fingerprint(t.fd));
    if (t.state === 'active') this.checkRotation(t, st.linked, now);
    if (t.state === 'rotated' ? this.rotatedAndQuiet(t, now) : this.idle(t, now))
      this.release(t, st.linked, now);
    return read;
  }

  /** copytruncate (or a file rewritten in place): the rest of the old content from its copy if one is beside it, then from 0. */
  private truncated(t: Tracked, size: number): void {
    const { lostBytes, copy } = this.resumeFromCopy(t, t.lastSize);
    this.emit({ type: 'file.truncated', path: t.path, lostBytes, fromCopy: copy });
    Object.assign(t, { offset: 0, lastSize: size }, fingerprint(t.fd));
    this.checkpoint(t);
  }

  /**
   * The old content of a file that was truncated (or whose inode holds new content): a copy beside
   * it that starts with the same bytes (copytruncate's) is followed from the old checkpoint to its
   * end. Returns the bytes that are lost, which are counted.
   */
  private resumeFromCopy(old: FileCheckpoint, oldSize: number): { lostBytes: number; copy?: string } {
    const key = identityKey(old);
    const registered = [...this.saved.entries()].find(
      ([k, c]) =>
        k !== key &&
        c.state !== 'done' &&
        c.fp === old.fp &&
        c.fpLen === old.fpLen &&
        dirname(c.path) === dirname(old.path),
    );
    if (registered) return { lostBytes: 0, copy: registered[1].path };
    const copy = this.findBeside(
      old.path,
      (path, id, copySize) => identityKey(id) !== key && copySize >= old.offset && this.startsAs(path, old),
    );
    let lostBytes = Math.max(0, oldSize - old.offset);
    if (copy) {
      const found = statPath(copy);
      if (found) {
        this.adopt(copy, found.id, 'rotated', old.offset);
        lostBytes = Math.max(0, oldSize - found.size);
      }
    }
    if (lostBytes > 0) this.o.spool.bump(old.flow, { bytesLost: lostBytes });
    return { lostBytes, copy };
  }

  private checkRotation(t: Tracked, linked: boolean, now: number): void {
    const atPath = statPath(t.path);
    if (atPath && identityKey(atPath.id) === identityKey(t)) return;
    t.state = 'rotated';
    t.rotatedAtMs = now;
    this.checkpoint(t);
    this.emit({ type: 'file.rotated', path: t.path, how: linked ? 'renamed' : 'deleted' });
  }

  /** Read to its end and quiet for `idleCloseMs`: closed until it grows (no descriptor held per old file). */
  private idle(t: Tracked, now: number): boolean {
    return t.offset >= t.lastSize && now - t.lastGrowthMs >= (this.o.idleCloseMs ?? 5 * 60_000);
  }

  private rotatedAndQuiet(t: Tracked, now: number): boolean {
    const wait = this.o.rotateWaitMs ?? 2000;
    return now - t.lastGrowthMs >= wait && now - (t.rotatedAtMs ?? now) >= wait;
  }

  /** A rotated file, read to its end (an incomplete last line included) and quiet, or an idle one: let go. */
  private release(t: Tracked, linked: boolean, now: number): void {
    if (t.state === 'rotated') this.readNew(t, t.lastSize, now, true);
    if (t.offset < t.lastSize) return; // paused, or still more to read
    closeSync(t.fd);
    this.tracked.delete(identityKey(t));
    t.state = 'done';
    if (linked) this.checkpoint(t);
    else {
      this.o.spool.forgetFile(t.flow, t.dev, t.ino);
      this.saved.delete(identityKey(t));
    }
    this.emit({ type: 'file.released', path: t.path });
  }

  /** Reads `want` bytes at the checkpoint and cuts them into records. */
  private cut(t: Tracked, want: number, now: number, final: boolean, size: number) {
    const n = readSync(t.fd, this.buf, 0, want, t.offset);
    const result = cutRecords(this.buf.subarray(0, n), {
      format: this.o.flow.format,
      appendNewline: this.o.flow.appendNewline,
      maxRecordBytes: this.o.maxRecordBytes ?? MAX_RECORD_BYTES,
      oversize: this.o.flow.oversize,
      quietMs: Math.max(0, now - t.lastGrowthMs),
      bufferFull: n === this.buf.length,
      final: final && t.offset + n >= size,
    });
    return { n, result };
  }

  /** Reads from the checkpoint to `size` (or as far as a budget and the spool's room allow), spooling each read's records with the new checkpoint. */
  private readNew(t: Tracked, size: number, now: number, final = false): number {
    let total = 0;
    while (t.offset < size && total < 8 * this.buf.length) {
      const room = this.o.room();
      if (room <= 0) break;
      // Near a full spool, small reads; but an empty spool takes a whole read when a small one
      // held no complete record, so that a record larger than the room cannot stop the flow.
      const possible = Math.min(this.buf.length, size - t.offset);
      let read = this.cut(t, Math.min(possible, Math.max(room, MIN_READ_BYTES)), now, final, size);
      if (read.result.consumed === 0 && read.n < possible && this.o.spool.bytes === 0) {
        read = this.cut(t, possible, now, final, size);
      }
      const { n, result } = read;
      if (n === 0) break;
      const counts = this.deadLetters(t, result);
      if (counts.consumed === 0) break;
      t.offset += counts.consumed;
      total += counts.consumed;
      this.checkpoint(
        t,
        { read: counts.read, spooled: result.records.length, deadLettered: counts.deadLettered },
        result.records,
      );
      // An incomplete record at the end of what the file holds waits for its end.
      if (counts.consumed < n && result.longLineAt === undefined && t.offset + (n - counts.consumed) >= size)
        break;
    }
    return total;
  }

  /** Writes a read's dead letters (and streams a line longer than a read to its own); what the read then used up. */
  private deadLetters(t: Tracked, cut: CutResult): { consumed: number; read: number; deadLettered: number } {
    const place: DeadLetterPlace = { dir: this.o.deadLetterDir, dev: t.dev, ino: t.ino };
    for (const d of cut.deadLetters) {
      const file = writeDeadLetter(place, t.offset + d.offset, d.data);
      this.emit({
        type: 'record.deadLettered',
        path: t.path,
        offset: t.offset + d.offset,
        file,
        bytes: d.data.length,
      });
    }
    const counts = { consumed: cut.consumed, read: cut.read, deadLettered: cut.deadLetters.length };
    if (cut.longLineAt === undefined) return counts;
    const at = t.offset + cut.longLineAt;
    const long = streamLongLine(place, t.fd, at, Buffer.allocUnsafe(this.buf.length));
    if (!long) return counts;
    this.emit({
      type: 'record.deadLettered',
      path: t.path,
      offset: at,
      file: long.path,
      bytes: long.consumed,
    });
    return {
      consumed: cut.longLineAt + long.consumed,
      read: counts.read + 1,
      deadLettered: counts.deadLettered + 1,
    };
  }
}
