import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from '../aws/sdk.js';
import { awsErrorCode } from '../errors.js';
import { s3Scope } from './client.js';
import { liveness, removeLeftoverPartFile } from './leftovers.js';
import type { S3Location } from './location.js';
import type { Recorder } from './recorder.js';
import { retrying } from './retry.js';
import type { OpenUploads } from './upload.js';
import { UploadJournal } from './uploadJournal.js';

const { AbortMultipartUploadCommand } = s3Sdk();

export interface CleanupOptions {
  client: S3Client;
  s3: S3Location;
  recorder: Recorder;
  /** The upload journal's folder (see `uploadJournalDir`); none: uploads are neither written down nor aborted. */
  journalDir?: string;
}

/**
 * A sync's clean-up after earlier runs that were killed, and its own bookkeeping for the next:
 * partial downloads its walk comes across are removed, the multipart uploads a gone run left
 * open under the destination are aborted, and this run's open uploads are written down. Only
 * tempcreds' own leftovers whose writer is gone are touched (see `writerGone`). Nothing here
 * fails the sync: what cannot be cleaned up stays for a later run, and is told as an event.
 */
export class Cleanup {
  private readonly pending: Promise<unknown>[] = [];
  private readonly world = liveness();
  private journal: Promise<UploadJournal | undefined> | undefined;
  private scope: Promise<string> | undefined;

  /** Where this run writes down its open uploads (undefined without a journal folder). */
  readonly openUploads: OpenUploads | undefined;

  constructor(private readonly options: CleanupOptions) {
    const { bucket } = options.s3;
    this.openUploads = options.journalDir
      ? {
          opened: async (key, uploadId) => {
            const [journal, scope] = await this.journalAndScope();
            return journal ? journal.record({ scope, bucket, key, uploadId }) : async () => undefined;
          },
        }
      : undefined;
  }

  private journalAndScope(): Promise<[UploadJournal | undefined, string]> {
    const { journalDir, client } = this.options;
    this.journal ??= journalDir ? UploadJournal.open(journalDir) : Promise.resolve(undefined);
    this.scope ??= s3Scope(client);
    return Promise.all([this.journal, this.scope]);
  }

  /** A temporary download file the walk saw: removed when an earlier, gone run left it. */
  partFile(path: string, name: string): void {
    this.pending.push(
      removeLeftoverPartFile(path, name, this.world).then((removed) => {
        if (removed) this.options.recorder.cleanedUp('partial download', path);
      }),
    );
  }

  /** Starts aborting the multipart uploads that gone runs left open under the destination. */
  abortLeftoverUploads(): void {
    if (!this.options.journalDir) return;
    this.pending.push(this.abortUploads().catch(() => undefined));
  }

  private async abortUploads(): Promise<void> {
    const { client, s3, recorder } = this.options;
    const [journal, scope] = await this.journalAndScope();
    if (!journal) return;
    const leftovers = await journal.leftovers({ scope, bucket: s3.bucket, prefix: s3.prefix }, this.world);
    await Promise.all(
      leftovers.map(async ({ entry, forget }) => {
        const location = `s3://${entry.bucket}/${entry.key}`;
        const input = { Bucket: entry.bucket, Key: entry.key, UploadId: entry.uploadId };
        try {
          await retrying(() => client.send(new AbortMultipartUploadCommand(input)));
        } catch (err) {
          // Completed or aborted since it was written down: nothing is open any more.
          if (awsErrorCode(err) === 'NoSuchUpload') return forget();
          return recorder.cleanedUp('multipart upload', location, err);
        }
        await forget();
        recorder.cleanedUp('multipart upload', location);
      }),
    );
  }

  /** Waits for every clean-up started (never rejects). */
  async done(): Promise<void> {
    await Promise.all(this.pending);
  }
}
