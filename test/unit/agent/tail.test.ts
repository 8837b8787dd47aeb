/**
 * The tailer on real files and a real spool (SQLite in a temporary folder): where it starts, how
 * it follows rotation by rename and by copytruncate, across restarts, and what it says it lost.
 */
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowConfig } from '../../../src/agent/config.js';
import { Spool } from '../../../src/agent/spool.js';
import { FlowTailer, type TailEvent } from '../../../src/agent/tail.js';

let dir: string;
let spool: Spool;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tempcreds-tail-'));
  spool = Spool.open(join(dir, 'state'));
});
afterEach(() => {
  spool.close();
  rmSync(dir, { recursive: true, force: true });
});

const flow = (extra: Partial<FlowConfig> = {}): FlowConfig => ({
  name: 'f',
  files: [join(dir, '*.log*')],
  deliveryStream: 's',
  format: { kind: 'lines' },
  startAt: 'beginning',
  appendNewline: false,
  flushIntervalMs: 1000,
  oversize: 'deadLetter',
  concurrency: 1,
  ...extra,
});

function tailer(config = flow(), options: { room?: () => number; maxRecordBytes?: number } = {}) {
  const events: TailEvent[] = [];
  const t = new FlowTailer({
    flow: config,
    spool,
    firstStart: spool.registerFlow(config.name),
    deadLetterDir: join(dir, 'state', 'dead'),
    onEvent: (e) => events.push(e),
    room: options.room ?? (() => Infinity),
    maxRecordBytes: options.maxRecordBytes,
    rotateWaitMs: 0,
    discoverEveryMs: 0,
  });
  return { t, events };
}

const spooled = () => spool.next('f', 0, 100_000).map((r) => r.data.toString('utf8'));
const log = (name = 'a.log') => join(dir, name);

describe('FlowTailer', () => {
  it('startAt end: a file already there is read from its last complete line on', () => {
    writeFileSync(log(), 'old1\nold2\npart');
    const { t } = tailer(flow({ startAt: 'end' }));
    t.tick();
    expect(spooled()).toEqual([]);
    appendFileSync(log(), 'ial\nnew\n');
    t.tick();
    expect(spooled()).toEqual(['partial', 'new']);
  });

  it('startAt end applies to the first start only: a file that appears later is read whole', () => {
    const { t } = tailer(flow({ startAt: 'end' }));
    t.tick();
    writeFileSync(log('b.log'), 'b1\nb2\n');
    t.tick();
    expect(spooled()).toEqual(['b1', 'b2']);
  });

  it('never sends a line in halves, and records and checkpoint go together', () => {
    writeFileSync(log(), 'a1\na2');
    const { t } = tailer();
    t.tick();
    expect(spooled()).toEqual(['a1']);
    expect(spool.checkpoints('f')[0]).toMatchObject({ offset: 3, path: log() });
    appendFileSync(log(), '\n');
    t.tick();
    expect(spooled()).toEqual(['a1', 'a2']);
    expect(spool.counters('f')).toMatchObject({ read: 2, spooled: 2 });
  });

  it('a restart reads on from the checkpoint: nothing twice, nothing skipped', () => {
    writeFileSync(log(), 'a1\n');
    tailer().t.tick();
    appendFileSync(log(), 'a2\n');
    const { t } = tailer();
    t.tick();
    expect(spooled()).toEqual(['a1', 'a2']);
  });

  it('rotation by rename: the renamed file is read to its end (also what is written after the rename), then let go', () => {
    writeFileSync(log(), 'a1\n');
    const { t, events } = tailer(flow({ files: [join(dir, '*.log')] }));
    t.tick();
    const fd = openSync(log(), 'a'); // the writer keeps the file open across the rename
    renameSync(log(), log('a.log.1'));
    writeSync(fd, 'a2\n');
    closeSync(fd);
    writeFileSync(log(), 'b1\n');
    t.tick();
    t.tick();
    expect(spooled().sort()).toEqual(['a1', 'a2', 'b1']);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['file.rotated', 'file.released']));
    expect(t.stats().files).toBe(1);
  });

  it('rotation by rename while stopped: the renamed file is found beside its old path by identity', () => {
    writeFileSync(log(), 'a1\n');
    tailer(flow({ files: [join(dir, '*.log')] })).t.tick();
    appendFileSync(log(), 'a2\n');
    renameSync(log(), log('a.log.1'));
    writeFileSync(log(), 'b1\n');
    const { t } = tailer(flow({ files: [join(dir, '*.log')] }));
    t.tick();
    t.tick();
    expect(spooled().sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('copytruncate: the rest of the old content comes from the copy, the new from 0', () => {
    writeFileSync(log(), 'a1\n');
    const { t, events } = tailer(flow({ files: [join(dir, '*.log')] }));
    t.tick();
    appendFileSync(log(), 'a2\n');
    copyFileSync(log(), log('a.log.1'));
    truncateSync(log(), 0);
    appendFileSync(log(), 'b1\n');
    t.tick();
    t.tick();
    expect(spooled().sort()).toEqual(['a1', 'a2', 'b1']);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'file.truncated', lostBytes: 0, fromCopy: log('a.log.1') }),
    );
  });

  it('copytruncate while stopped, with a glob that matches the copy: each line once', () => {
    writeFileSync(log(), 'a1\n');
    tailer().t.tick();
    appendFileSync(log(), 'a2\n');
    copyFileSync(log(), log('a.log.1'));
    truncateSync(log(), 0);
    appendFileSync(log(), 'b1-longer-than-before\n');
    const { t } = tailer();
    t.tick();
    t.tick();
    expect(spooled().sort()).toEqual(['a1', 'a2', 'b1-longer-than-before']);
    expect(spool.counters('f').bytesLost ?? 0).toBe(0);
  });

  it('a truncation without a copy starts again from 0 and says how many bytes were lost', () => {
    writeFileSync(log(), 'a1\n');
    let room = Infinity;
    const { t, events } = tailer(flow(), { room: () => room });
    t.tick();
    room = 0; // the spool is full: the tailer sees the new bytes but cannot read them
    appendFileSync(log(), 'a2 never read\n');
    t.tick();
    truncateSync(log(), 0);
    appendFileSync(log(), 'b1\n');
    room = Infinity;
    t.tick();
    expect(spooled()).toEqual(['a1', 'b1']);
    expect(events.find((e) => e.type === 'file.truncated')).toMatchObject({ lostBytes: 14 });
    expect(spool.counters('f').bytesLost).toBe(14);
  });

  it('a file rewritten in place (same inode, other first bytes, not shorter) is read from 0', () => {
    writeFileSync(log(), 'old line one\n');
    const { t } = tailer();
    t.tick();
    writeFileSync(log(), 'NEW LINE ONE\nnew two\n'); // truncates and writes: same inode
    t.tick();
    expect(spooled()).toEqual(['old line one', 'NEW LINE ONE', 'new two']);
  });

  it('a file deleted before it was read to its end, while stopped, is reported with the bytes lost', () => {
    writeFileSync(log(), 'a1\n');
    const { t: first } = tailer();
    first.tick();
    appendFileSync(log(), 'a2 lost\n');
    first.tick(); // sees the size, reads it (then we pretend it did not: roll the checkpoint back)
    const c = spool.checkpoints('f')[0]!;
    spool.saveCheckpoint({ ...c, offset: 3 });
    first.close();
    unlinkSync(log());
    const { events } = (() => {
      const x = tailer();
      x.t.tick();
      return x;
    })();
    expect(events).toContainEqual(expect.objectContaining({ type: 'file.lost', lostBytes: 8, path: log() }));
    expect(spool.counters('f').bytesLost).toBe(8);
    expect(spool.checkpoints('f')).toEqual([]);
  });

  it('a file deleted while followed is still read to its end (the descriptor holds it)', () => {
    writeFileSync(log(), 'a1\n');
    const { t } = tailer();
    t.tick();
    const fd = openSync(log(), 'a');
    unlinkSync(log());
    writeSync(fd, 'a2\n');
    closeSync(fd);
    t.tick();
    t.tick();
    expect(spooled()).toEqual(['a1', 'a2']);
    expect(t.stats().files).toBe(0);
  });

  it('does not read while the spool has no room', () => {
    writeFileSync(log(), 'a1\n');
    let room = 0;
    const { t } = tailer(flow(), { room: () => room });
    t.tick();
    expect(spooled()).toEqual([]);
    expect(t.stats().unreadBytes).toBe(3);
    room = 100;
    t.tick();
    expect(spooled()).toEqual(['a1']);
  });

  it('dead-letters a record over the limit to a file named after its place (written again, not twice, after a crash)', () => {
    writeFileSync(log(), 'ok\n' + 'x'.repeat(50) + '\nok2\n');
    const { t, events } = tailer(flow(), { maxRecordBytes: 20 });
    t.tick();
    expect(spooled()).toEqual(['ok', 'ok2']);
    const dead = readdirSync(join(dir, 'state', 'dead'));
    expect(dead).toHaveLength(1);
    expect(readFileSync(join(dir, 'state', 'dead', dead[0]!), 'utf8')).toBe('x'.repeat(50));
    expect(dead[0]).toMatch(/-3\.record$/);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'record.deadLettered', offset: 3, bytes: 50 }),
    );
    expect(spool.counters('f')).toMatchObject({ read: 3, spooled: 2, deadLettered: 1 });
  });

  it('streams a line longer than a read to its dead-letter file once it is complete', () => {
    const long = 'y'.repeat(3 * 1024 * 1024);
    writeFileSync(log(), `a\n${long}`);
    const { t } = tailer(flow(), { maxRecordBytes: 1000 });
    t.tick();
    t.tick();
    expect(spooled()).toEqual(['a']);
    expect(readdirSync(join(dir, 'state', 'dead'))).toEqual([]); // incomplete: not yet, no part left
    appendFileSync(log(), '\nb\n');
    t.tick();
    expect(spooled()).toEqual(['a', 'b']);
    const [file] = readdirSync(join(dir, 'state', 'dead'));
    expect(readFileSync(join(dir, 'state', 'dead', file!), 'utf8')).toBe(long);
  });

  it('split: a line over the limit goes as several records', () => {
    writeFileSync(log(), 'z'.repeat(45) + '\n');
    const { t } = tailer(flow({ oversize: 'split' }), { maxRecordBytes: 20 });
    t.tick();
    expect(spooled()).toEqual(['z'.repeat(20), 'z'.repeat(20), 'z'.repeat(5)]);
  });

  it('multiline: stack traces are one record each', () => {
    writeFileSync(log(), 'E1 boom\n  at x\nE2 bang\n  at y\n');
    const { t } = tailer(flow({ format: { kind: 'multiline', startPattern: /^E\d/, maxWaitMs: 0 } }));
    t.tick();
    expect(spooled()).toEqual(['E1 boom\n  at x', 'E2 bang\n  at y']);
  });
});
