/** The sync's state machine (SyncRun), step by step against moto: every phase and every transition. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncEvent } from '../../../src/s3/events.js';
import { syncRequest } from '../../../src/s3/request.js';
import { SyncRun, type SyncPhase } from '../../../src/s3/sync.js';
import { bytes, folder, removeFolder, startS3World, type S3World } from './world.js';

const MiB = 1024 * 1024;
let world: S3World;
beforeAll(async () => void (world = await startS3World()));
afterAll(() => world?.stop());

/** A fresh bucket for each test, as an `s3://` URL of one prefix in it. */
const place = async () => {
  const bucket = await world.bucket();
  return { bucket, url: `s3://${bucket}/p/` };
};

/** Runs the steps one by one and notes the phase after each; stops at the first that throws. */
async function steps(run: SyncRun): Promise<{ phases: SyncPhase[]; error?: unknown }> {
  const phases: SyncPhase[] = [run.phase];
  try {
    await run.check();
    phases.push(run.phase);
    await run.transfer();
    phases.push(run.phase);
    await run.windDown();
    phases.push(run.phase);
    run.finish();
    phases.push(run.phase);
    return { phases };
  } catch (error) {
    phases.push(run.phase);
    return { phases, error };
  }
}

describe('SyncRun', () => {
  it('ready -> checked -> transferring -> woundDown -> done', async () => {
    const src = await folder({ 'a.txt': 'a', 'b/c.txt': 'c' });
    try {
      const run = new SyncRun(syncRequest(src, (await place()).url), { client: world.client });
      const { phases, error } = await steps(run);
      expect(error).toBeUndefined();
      expect(phases).toEqual(['ready', 'checked', 'transferring', 'woundDown', 'done']);
    } finally {
      await removeFolder(src);
    }
  });

  it('ready -> refused: an upload from a folder that is not there; no step runs after it', async () => {
    const src = await folder();
    try {
      const run = new SyncRun(syncRequest(join(src, 'missing'), (await place()).url), {
        client: world.client,
      });
      const { phases, error } = await steps(run);
      expect(phases).toEqual(['ready', 'refused']);
      expect(error).toMatchObject({ kind: 'usage', message: expect.stringMatching(/does not exist/) });
      await expect(run.transfer()).rejects.toThrow('cannot go from refused to transferring');
    } finally {
      await removeFolder(src);
    }
  });

  it('a download into a folder that is not there yet is checked (the folder is made as files arrive)', async () => {
    const dst = await folder();
    try {
      const run = new SyncRun(syncRequest((await place()).url, join(dst, 'new')), { client: world.client });
      const { phases, error } = await steps(run);
      expect(error).toBeUndefined();
      expect(phases).toEqual(['ready', 'checked', 'transferring', 'woundDown', 'done']);
    } finally {
      await removeFolder(dst);
    }
  });

  it('woundDown -> failed: the listing fails (no such bucket), with AWS reason', async () => {
    const src = await folder({ 'a.txt': 'a' });
    try {
      const run = new SyncRun(syncRequest(src, 's3://no-such-bucket-here/p/'), { client: world.client });
      const { phases, error } = await steps(run);
      expect(phases).toEqual(['ready', 'checked', 'transferring', 'woundDown', 'failed']);
      expect(String(error)).toMatch(/NoSuchBucket/);
    } finally {
      await removeFolder(src);
    }
  });

  it('woundDown -> interrupted: the signal aborts mid-upload; winding down aborts the open multipart upload', async () => {
    const src = await folder({ 'big.bin': bytes(16 * MiB, 3) });
    const { bucket, url } = await place();
    const stop = new AbortController();
    const events: SyncEvent['type'][] = [];
    try {
      const request = syncRequest(src, url, {
        multipartThreshold: 5 * MiB,
        multipartChunksize: 5 * MiB,
        concurrency: 1,
      });
      const run = new SyncRun(request, {
        client: world.client,
        signal: stop.signal,
        // The first part is acknowledged: the upload is open in S3, three parts to go.
        onEvent: (event) => {
          events.push(event.type);
          if (event.type === 'bytes') stop.abort();
        },
      });
      const { phases, error } = await steps(run);
      expect(phases).toEqual(['ready', 'checked', 'transferring', 'woundDown', 'interrupted']);
      expect(String(error)).toMatch(/The sync was interrupted after 0 copies/);
      expect(events).toContain('failed');
      expect(await world.uploadsInProgress(bucket)).toEqual([]);
    } finally {
      await removeFolder(src);
    }
  });
});
