/**
 * The S3 world of the sync tests: one moto with IAM enforcement off (moto's S3 signature check
 * refuses valid requests with `/` in a query or spaces and `+` in keys, see aws-facts.md), a
 * bucket, and helpers to look at what S3 holds. Each test gets its own prefix or bucket.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { createS3Client } from '../../../src/s3/client.js';

export const REGION = 'us-east-1';

export interface S3World {
  aws: LocalAws;
  /** The administrator's client (plain SDK, to arrange and inspect). */
  admin: S3Client;
  /** A client as sync builds it, for library tests. */
  client: S3Client;
  /** A fresh bucket. */
  bucket(name?: string): Promise<string>;
  /** Every object under a prefix: key (without the prefix) -> { size, etag, lastModified }. */
  objects(
    bucket: string,
    prefix?: string,
  ): Promise<Map<string, { size: number; etag: string; lastModified: Date }>>;
  body(bucket: string, key: string): Promise<Buffer>;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  uploadsInProgress(bucket: string): Promise<string[]>;
  /** Environment for the CLI: the administrator's keys, the region and moto (or `endpoint`). */
  cliEnv(endpoint?: string): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

let buckets = 0;

const NO_AWS_FILES = join(tmpdir(), `tempcreds-no-aws-files-${randomUUID()}`);

export async function startS3World(): Promise<S3World> {
  const aws = await startLocalAws({ region: REGION, enforce: false });
  const admin = new S3Client(aws.adminClientConfig());
  const client = createS3Client({ region: REGION, endpointUrl: aws.endpoint, credentials: aws.admin });
  return {
    aws,
    admin,
    client,
    async bucket(name = `sync-${process.pid}-${++buckets}`) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async objects(bucket, prefix = '') {
      const out = new Map<string, { size: number; etag: string; lastModified: Date }>();
      let token: string | undefined;
      do {
        const page = await admin.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          out.set(o.Key!.slice(prefix.length), {
            size: o.Size!,
            etag: o.ETag!.replace(/"/g, ''),
            lastModified: o.LastModified!,
          });
        }
        token = page.NextContinuationToken;
      } while (token);
      return out;
    },
    async body(bucket, key) {
      const answer = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    },
    async put(bucket, key, body) {
      const buffer = Buffer.from(body);
      await admin.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: buffer, ContentLength: buffer.length }),
      );
    },
    async uploadsInProgress(bucket) {
      const answer = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (answer.Uploads ?? []).map((u) => u.Key!);
    },
    cliEnv: (endpoint = aws.endpoint) => ({
      PATH: process.env.PATH,
      HOME: tmpdir(),
      // Files in a folder no one made (not /nonexistent: nobody's home, which a root process may create).
      AWS_CONFIG_FILE: join(NO_AWS_FILES, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(NO_AWS_FILES, 'credentials'),
      AWS_ACCESS_KEY_ID: aws.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.admin.secretAccessKey,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
    async stop() {
      admin.destroy();
      client.destroy();
      await aws.stop();
    },
  };
}

/** A temporary folder with files: key -> content. */
export async function folder(files: Record<string, string | Buffer> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tempcreds-sync-'));
  for (const [key, content] of Object.entries(files)) await writeAt(root, key, content);
  return root;
}

export async function writeAt(root: string, key: string, content: string | Buffer): Promise<string> {
  const path = join(root, ...key.split('/'));
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** Every file below a folder: key -> content (as a Buffer). */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(root, path).split('\\').join('/'), await readFile(path));
  }
  return out;
}

export const mtimeOf = async (path: string) => (await stat(path)).mtimeMs;
export const md5 = (body: Buffer | string) => createHash('md5').update(body).digest('hex');
export const removeFolder = (root: string) => rm(root, { recursive: true, force: true });

/** Deterministic bytes, so multipart ETags can be checked. */
export function bytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}
