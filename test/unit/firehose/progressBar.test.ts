import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../../src/cli/firehoseOutput.js';
import type { CliIo } from '../../../src/cli/io.js';

function ioWith(isTTY: boolean) {
  const written: string[] = [];
  const stderr = Object.assign(new PassThrough(), { isTTY });
  stderr.on('data', (c: Buffer) => written.push(c.toString()));
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {}, cwd: '/' } as CliIo;
  return { io, written };
}

const progress = (delivered: number) => ({
  records: delivered,
  bytes: delivered,
  delivered,
  deliveredBytes: delivered,
  failed: 0,
  unknown: 0,
  notSent: 0,
  calls: delivered / 500,
  retries: 0,
  resent: 0,
  retriedAfterUnknown: 0,
});

describe('progress bar', () => {
  it('draws on a terminal, at most ten times a second, and clears its line at the end', async () => {
    const { io, written } = ioWith(true);
    let clock = 0;
    const bar = progressBar(io, 2000, () => clock);
    clock = 1000;
    bar.update(progress(500));
    clock = 1050;
    bar.update(progress(1000)); // too soon: skipped
    clock = 1200;
    bar.update(progress(1500));
    bar.done();
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([
      '\r[########----------------------] 25% 500/2000 records, 1 calls, 0 retries, 0 failed\u001b[K',
      '\r[#######################-------] 75% 1500/2000 records, 3 calls, 0 retries, 0 failed\u001b[K',
      '\r\u001b[K',
    ]);
  });

  it('writes nothing when stderr is not a terminal', async () => {
    const { io, written } = ioWith(false);
    const bar = progressBar(io, undefined, () => 5000);
    bar.update(progress(500));
    bar.done();
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([]);
  });
});
