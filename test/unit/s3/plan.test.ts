import { describe, expect, it } from 'vitest';
import { copyReason, syncPlan, type SyncAction, type SyncPlanOptions } from '../../../src/s3/plan.js';
import { createKeyFilter } from '../../../src/s3/filters.js';
import type { SyncEntry } from '../../../src/s3/entry.js';

const T = Date.UTC(2024, 0, 1, 12, 0, 0);
const e = (key: string, size = 1, lastModified = T): SyncEntry => ({ key, size, lastModified });

async function* stream(entries: SyncEntry[]) {
  yield* entries;
}

async function plan(source: SyncEntry[], target: SyncEntry[], options: SyncPlanOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const a of syncPlan(stream(source), stream(target), options)) out.push(show(a));
  return out;
}

function show(a: SyncAction): string {
  return a.kind === 'copy' ? `copy ${a.key} (${a.reason})` : `${a.kind} ${a.key}`;
}

describe('copyReason (AWS CLI sync strategies)', () => {
  const local = (size: number, ms: number) => e('k', size, ms);
  const object = (size: number, ms: number) => e('k', size, ms);

  it('copies when sizes differ, in both directions and every mode', () => {
    for (const mode of ['size-and-time', 'size-only', 'exact-timestamps', 'checksum'] as const) {
      expect(copyReason('upload', local(1, T), object(2, T), mode)).toBe('size');
      expect(copyReason('download', object(1, T), local(2, T), mode)).toBe('size');
    }
  });

  it('upload: copies when the local file is newer, not when it is older or equal', () => {
    expect(copyReason('upload', local(1, T + 5000), object(1, T))).toBe('source-newer');
    expect(copyReason('upload', local(1, T - 5000), object(1, T))).toBeUndefined();
    expect(copyReason('upload', local(1, T), object(1, T))).toBeUndefined();
  });

  it('upload: --exact-timestamps changes nothing (it is a download option)', () => {
    expect(copyReason('upload', local(1, T - 5000), object(1, T), 'exact-timestamps')).toBeUndefined();
    expect(copyReason('upload', local(1, T + 5000), object(1, T), 'exact-timestamps')).toBe('source-newer');
  });

  it('download: copies when the LOCAL file is newer (the AWS CLI rule), not when the object is', () => {
    expect(copyReason('download', object(1, T), local(1, T + 5000))).toBe('target-newer');
    expect(copyReason('download', object(1, T + 5000), local(1, T))).toBeUndefined();
    expect(copyReason('download', object(1, T), local(1, T))).toBeUndefined();
  });

  it('download --exact-timestamps: copies whenever the times differ', () => {
    expect(copyReason('download', object(1, T + 5000), local(1, T), 'exact-timestamps')).toBe('time-differs');
    expect(copyReason('download', object(1, T), local(1, T + 5000), 'exact-timestamps')).toBe('time-differs');
    expect(copyReason('download', object(1, T), local(1, T), 'exact-timestamps')).toBeUndefined();
  });

  it('--size-only and --checksum ignore times', () => {
    expect(copyReason('upload', local(1, T + 99_000), object(1, T), 'size-only')).toBeUndefined();
    expect(copyReason('download', object(1, T), local(1, T + 99_000), 'size-only')).toBeUndefined();
    expect(copyReason('upload', local(1, T + 99_000), object(1, T), 'checksum')).toBeUndefined();
  });

  it('compares in whole seconds, the resolution S3 keeps', () => {
    // A file written at 12:00:00.700 and uploaded within that second: S3 says 12:00:00.
    expect(copyReason('upload', local(1, T + 700), object(1, T))).toBeUndefined();
    expect(copyReason('upload', local(1, T + 1000), object(1, T))).toBe('source-newer');
    expect(copyReason('download', object(1, T), local(1, T + 999), 'exact-timestamps')).toBeUndefined();
  });
});

describe('syncPlan (merge join of two sorted listings)', () => {
  const up: SyncPlanOptions = { direction: 'upload' };

  it('copies what the target lacks and skips what is up to date', async () => {
    expect(await plan([e('a'), e('b'), e('c')], [e('b')], up)).toEqual([
      'copy a (missing)',
      'skip b',
      'copy c (missing)',
    ]);
  });

  it('leaves extras alone without delete, and deletes them with it', async () => {
    const source = [e('b')];
    const target = [e('a'), e('b'), e('c')];
    expect(await plan(source, target, up)).toEqual(['skip b']);
    expect(await plan(source, target, { ...up, delete: true })).toEqual(['delete a', 'skip b', 'delete c']);
  });

  it('handles empty sides', async () => {
    expect(await plan([], [], up)).toEqual([]);
    expect(await plan([e('a')], [], up)).toEqual(['copy a (missing)']);
    expect(await plan([], [e('a')], { ...up, delete: true })).toEqual(['delete a']);
  });

  it('joins keys in byte order: a-b < a.b < a/b < a0', async () => {
    const keys = ['a-b', 'a.b', 'a/b', 'a0'];
    const source = keys.map((k) => e(k));
    expect(await plan(source, [e('a.b'), e('a0')], { ...up, delete: true })).toEqual([
      'copy a-b (missing)',
      'skip a.b',
      'copy a/b (missing)',
      'skip a0',
    ]);
  });

  it('applies the direction rule per pair', async () => {
    const newer = [e('x', 1, T + 5000)];
    const older = [e('x', 1, T)];
    expect(await plan(newer, older, { direction: 'upload' })).toEqual(['copy x (source-newer)']);
    expect(await plan(older, newer, { direction: 'upload' })).toEqual(['skip x']);
    expect(await plan(newer, older, { direction: 'download' })).toEqual(['skip x']);
    expect(await plan(older, newer, { direction: 'download' })).toEqual(['copy x (target-newer)']);
    expect(await plan(newer, older, { direction: 'download', compare: 'exact-timestamps' })).toEqual([
      'copy x (time-differs)',
    ]);
  });

  it('--checksum: same size is a compare action, other sizes a copy', async () => {
    const options: SyncPlanOptions = { direction: 'upload', compare: 'checksum' };
    expect(await plan([e('a', 1), e('b', 2)], [e('a', 1), e('b', 3)], options)).toEqual([
      'compare a',
      'copy b (size)',
    ]);
  });

  it('filters both sides, so excluded target keys are never deleted', async () => {
    const filter = createKeyFilter([{ type: 'exclude', pattern: '*.log' }]);
    const options: SyncPlanOptions = { direction: 'upload', delete: true, filter };
    expect(await plan([e('a.log'), e('b.txt')], [e('c.log'), e('d.txt')], options)).toEqual([
      'copy b.txt (missing)',
      'delete d.txt',
    ]);
  });

  it('refuses a listing out of order rather than plan wrong deletes', async () => {
    await expect(plan([e('b'), e('a')], [], up)).rejects.toThrow(/out of order/);
    await expect(plan([], [e('a'), e('a')], up)).rejects.toThrow(/out of order/);
  });

  it('streams: the first action comes before the listings end', async () => {
    let pulled = 0;
    async function* endless() {
      for (let i = 0; ; i++) {
        pulled++;
        yield e(`k${String(i).padStart(9, '0')}`);
      }
    }
    const actions = syncPlan(endless(), stream([]), up);
    const first = await actions.next();
    expect(first.value).toMatchObject({ kind: 'copy', key: 'k000000000' });
    expect(pulled).toBeLessThan(5);
    await actions.return(undefined);
  });

  it('keeps one entry per side in memory for 100,000 keys', async () => {
    async function* many(n: number) {
      for (let i = 0; i < n; i++) yield e(`dir/${String(i).padStart(6, '0')}`);
    }
    let skips = 0;
    for await (const a of syncPlan(many(100_000), many(100_000), up)) if (a.kind === 'skip') skips++;
    expect(skips).toBe(100_000);
  });
});
