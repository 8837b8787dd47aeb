/**
 * The S3 half of the benchmarks' AWS double: path-style buckets in memory, answered at once, in
 * S3's wire shapes, for what the SDK v3, the AWS CLI v2 and rclone send during a sync:
 * CreateBucket, HeadBucket, GetBucketLocation, ListObjects (V1 and V2, with delimiters and URL
 * encoding), PutObject (plain or aws-chunked bodies; Content-MD5 checked), HeadObject (with
 * `partNumber`), GetObject (objects up to 1 MiB keep their bytes), DeleteObject(s), and the
 * multipart calls. Signatures are not checked: it stands for an S3 that answers at once.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { errorAnswer, awsError } from '../awsProxy/answers.js';

/** An answer of the double (bytes for GetObject). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

interface StoredObject {
  size: number;
  etag: string;
  lastModified: Date;
  contentType: string;
  metadata: Record<string, string>;
  /** Sizes of the parts of a multipart object. */
  partSizes?: number[];
  /** The bytes, for objects of at most `KEEP_BYTES`. */
  body?: Buffer;
}

interface OpenUpload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, { etag: string; size: number }>;
}

const KEEP_BYTES = 1024 * 1024;
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const xml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
const xmlAnswer = (body: string, status = 200): Answer => ({
  status,
  headers: { 'Content-Type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
});
const empty = (status = 200, headers: Record<string, string> = {}): Answer => ({ status, headers, body: '' });
const s3Error = (code: string, status: number, message: string) =>
  errorAnswer('s3', awsError('s3', code, { status, message }));

/** `aws-chunked` (`STREAMING-*` payloads): `<hex size>;chunk-signature=...\r\n<bytes>\r\n`, ending at size 0. */
async function* dechunk(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let buffer = Buffer.alloc(0);
  let left = -1; // bytes of the current chunk still to come; -1: reading a header
  for await (const piece of body) {
    buffer = Buffer.concat([buffer, piece]);
    for (;;) {
      if (left < 0) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) break;
        left = parseInt(buffer.subarray(0, end).toString('latin1').split(';')[0]!, 16);
        buffer = buffer.subarray(end + 2);
        if (left === 0) return; // trailers follow: not needed
      }
      if (buffer.length < left + 2) {
        if (buffer.length > left) break;
        yield buffer;
        left -= buffer.length;
        buffer = Buffer.alloc(0);
        break;
      }
      yield buffer.subarray(0, left);
      buffer = buffer.subarray(left + 2);
      left = -1;
    }
  }
}

/** Reads a body through MD5, keeping the bytes when there are few. */
async function digest(
  req: IncomingMessage,
  onFirstBytes?: () => void,
): Promise<{ md5: Buffer; size: number; body?: Buffer }> {
  const chunked =
    String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') ||
    String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
  const hash = createHash('md5');
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunked ? dechunk(req) : (req as Readable as AsyncIterable<Buffer>)) {
    if (size === 0) onFirstBytes?.();
    hash.update(chunk);
    size += chunk.length;
    if (size <= KEEP_BYTES) kept.push(Buffer.from(chunk));
  }
  return { md5: hash.digest(), size, body: size <= KEEP_BYTES ? Buffer.concat(kept) : undefined };
}

const metadataOf = (req: IncomingMessage) =>
  Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => name.startsWith('x-amz-meta-')),
  ) as Record<string, string>;

/** The first of sorted `keys` at or after `key` (`strict`: after it), by binary search in UTF-8 byte order. */
function firstIndex(keys: string[], key: string, strict: boolean): number {
  const target = Buffer.from(key);
  let lo = 0;
  for (let hi = keys.length; lo < hi;) {
    const mid = (lo + hi) >> 1;
    const order = Buffer.compare(Buffer.from(keys[mid]!), target);
    if (order < 0 || (strict && order === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** S3's URL encoding of listed keys (`encoding-type=url`): as a URI component, `/` kept. */
const urlEncode = (text: string) => encodeURIComponent(text).replace(/%2F/g, '/');

export interface S3DoubleStats {
  /** Requests by action (`PutObject`, `ListObjectsV2`, ...). */
  actions: Record<string, number>;
  /** Bytes of PutObject and UploadPart bodies, and when the first began and the last ended (`performance.now`). */
  bodyBytes: number;
  firstBodyAt: number | undefined;
  lastBodyAt: number | undefined;
}

const freshStats = (): S3DoubleStats => ({
  actions: {},
  bodyBytes: 0,
  firstBodyAt: undefined,
  lastBodyAt: undefined,
});

export class S3Double {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private readonly uploads = new Map<string, OpenUpload>();
  stats: S3DoubleStats = freshStats();

  resetStats(): void {
    this.stats = freshStats();
  }

  /** Reads an object's or a part's body, noting when the bytes came. */
  private async body(req: IncomingMessage): Promise<{ md5: Buffer; size: number; body?: Buffer }> {
    let begun = 0;
    const read = await digest(req, () => (begun = performance.now()));
    if (read.size > 0) {
      this.stats.bodyBytes += read.size;
      this.stats.firstBodyAt = Math.min(this.stats.firstBodyAt ?? begun, begun);
      this.stats.lastBodyAt = performance.now();
    }
    return read;
  }

  /** The objects of a bucket (tests and benchmarks check what arrived). */
  objects(bucket: string): ReadonlyMap<string, { size: number; etag: string }> {
    return this.buckets.get(bucket) ?? new Map();
  }

  /** Stores an object as if it had been uploaded now (benchmarks: a bucket of 100,000 keys at once). */
  seed(bucket: string, key: string, body: Buffer): void {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`The double has no bucket ${bucket}.`);
    this.store(bucket, key, objects, {
      size: body.length,
      etag: createHash('md5').update(body).digest('hex'),
      lastModified: new Date(),
      contentType: 'binary/octet-stream',
      metadata: {},
      body,
    });
  }

  /** The action a request is, as S3 names it. */
  action(req: IncomingMessage, url: URL): string {
    const { bucket, key } = this.target(url);
    const q = url.searchParams;
    const m = req.method;
    if (!bucket) return 'ListBuckets';
    if (!key) {
      if (m === 'PUT') return 'CreateBucket';
      if (m === 'HEAD') return 'HeadBucket';
      if (m === 'POST' && q.has('delete')) return 'DeleteObjects';
      if (q.has('location')) return 'GetBucketLocation';
      if (q.has('uploads')) return 'ListMultipartUploads';
      return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    }
    if (m === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
    if (m === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
    if (m === 'PUT' && q.has('uploadId')) return 'UploadPart';
    if (m === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
    if (m === 'PUT') return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    if (m === 'HEAD') return 'HeadObject';
    if (m === 'DELETE') return 'DeleteObject';
    return 'GetObject';
  }

  private target(url: URL): { bucket: string; key: string } {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    return { bucket: decodeURIComponent(bucket), key: decodeURIComponent(rest.join('/')) };
  }

  async handle(req: IncomingMessage, url: URL, action: string): Promise<Answer> {
    this.stats.actions[action] = (this.stats.actions[action] ?? 0) + 1;
    const { bucket, key } = this.target(url);
    if (action === 'ListBuckets') return this.listBuckets();
    if (action === 'CreateBucket') {
      req.resume();
      if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
      return empty(200, { Location: `/${bucket}` });
    }
    const objects = this.buckets.get(bucket);
    if (!objects) {
      req.resume();
      if (req.method === 'HEAD') return empty(404);
      return s3Error('NoSuchBucket', 404, 'The specified bucket does not exist');
    }
    switch (action) {
      case 'HeadBucket':
        return empty(200, { 'x-amz-bucket-region': 'us-east-1' });
      case 'GetBucketLocation':
        return xmlAnswer(`<LocationConstraint xmlns="${NS}"/>`);
      case 'ListObjects':
      case 'ListObjectsV2':
        return this.list(bucket, url.searchParams, action === 'ListObjectsV2');
      case 'ListMultipartUploads':
        return xmlAnswer(
          `<ListMultipartUploadsResult xmlns="${NS}"><Bucket>${xml(bucket)}</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`,
        );
      case 'DeleteObjects':
        return this.deleteObjects(req, bucket, objects);
      case 'PutObject':
        return this.put(req, bucket, key, objects);
      case 'CopyObject':
        return this.copy(req, bucket, key, objects);
      case 'HeadObject':
      case 'GetObject':
        return this.get(objects.get(key), action === 'HeadObject', url.searchParams.get('partNumber'));
      case 'DeleteObject':
        objects.delete(key);
        this.sortedKeys.delete(bucket);
        return empty(204);
      default:
        return this.multipart(req, url, action, bucket, key, objects);
    }
  }

  private listBuckets(): Answer {
    const buckets = [...this.buckets.keys()]
      .map(
        (b) => `<Bucket><Name>${xml(b)}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`,
      )
      .join('');
    return xmlAnswer(
      `<ListAllMyBucketsResult xmlns="${NS}"><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
    );
  }

  private store(bucket: string, key: string, objects: Map<string, StoredObject>, object: StoredObject): void {
    if (!objects.has(key)) this.sortedKeys.delete(bucket);
    objects.set(key, object);
  }

  private async put(
    req: IncomingMessage,
    bucket: string,
    key: string,
    objects: Map<string, StoredObject>,
  ): Promise<Answer> {
    const { md5, size, body } = await this.body(req);
    const given = req.headers['content-md5'];
    if (given && given !== md5.toString('base64'))
      return s3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
    const etag = md5.toString('hex');
    this.store(bucket, key, objects, {
      size,
      etag,
      lastModified: new Date(),
      contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
      metadata: metadataOf(req),
      body,
    });
    return empty(200, { ETag: `"${etag}"` });
  }

  private copy(
    req: IncomingMessage,
    bucket: string,
    key: string,
    objects: Map<string, StoredObject>,
  ): Answer {
    req.resume();
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source'])).replace(/^\//, '');
    const [fromBucket, ...rest] = source.split('?')[0]!.split('/');
    const from = this.buckets.get(fromBucket!)?.get(rest.join('/'));
    if (!from) return s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    const replace = req.headers['x-amz-metadata-directive'] === 'REPLACE';
    const copied: StoredObject = {
      ...from,
      lastModified: new Date(),
      metadata: replace ? metadataOf(req) : from.metadata,
      contentType: replace ? String(req.headers['content-type'] ?? from.contentType) : from.contentType,
    };
    this.store(bucket, key, objects, copied);
    return xmlAnswer(
      `<CopyObjectResult><LastModified>${copied.lastModified.toISOString()}</LastModified><ETag>"${from.etag}"</ETag></CopyObjectResult>`,
    );
  }

  private get(object: StoredObject | undefined, head: boolean, partNumber: string | null): Answer {
    if (!object) return head ? empty(404) : s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    const headers: Record<string, string> = {
      ETag: `"${object.etag}"`,
      'Last-Modified': object.lastModified.toUTCString(),
      'Content-Type': object.contentType,
      'Accept-Ranges': 'bytes',
      ...object.metadata,
    };
    let length = object.size;
    if (partNumber && object.partSizes) {
      length = object.partSizes[Number(partNumber) - 1] ?? 0;
      headers['x-amz-mp-parts-count'] = String(object.partSizes.length);
    }
    headers['Content-Length'] = String(length);
    if (head) return { status: 200, headers, body: '' };
    if (!object.body)
      return s3Error('NotImplemented', 501, 'The double keeps no bytes of objects over 1 MiB.');
    return { status: 200, headers, body: object.body };
  }

  private list(bucket: string, q: URLSearchParams, v2: boolean): Answer {
    let keys = this.sortedKeys.get(bucket);
    if (!keys) {
      keys = [...this.buckets.get(bucket)!.keys()].sort((a, b) =>
        Buffer.compare(Buffer.from(a), Buffer.from(b)),
      );
      this.sortedKeys.set(bucket, keys);
    }
    const objects = this.buckets.get(bucket)!;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 1000));
    const token = q.get('continuation-token');
    const after = v2
      ? token
        ? Buffer.from(token, 'base64').toString('utf8')
        : (q.get('start-after') ?? '')
      : (q.get('marker') ?? '');
    const encode = q.get('encoding-type') === 'url' ? urlEncode : (s: string) => s;
    const lo = Math.max(firstIndex(keys, prefix, false), firstIndex(keys, after, true));
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    let truncated = false;
    for (let i = lo; i < keys.length; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) break;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        if (prefixes.at(-1) !== common) prefixes.push(common);
        last = common;
        // Skip the rest of this common prefix.
        while (i + 1 < keys.length && keys[i + 1]!.startsWith(common)) i++;
        last = keys[i]!;
        continue;
      }
      const o = objects.get(key)!;
      contents.push(
        `<Contents><Key>${xml(encode(key))}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      last = key;
    }
    const next = v2
      ? truncated
        ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>`
        : ''
      : truncated && delimiter
        ? `<NextMarker>${xml(encode(last))}</NextMarker>`
        : '';
    const head = [
      `<Name>${xml(bucket)}</Name>`,
      `<Prefix>${xml(encode(prefix))}</Prefix>`,
      v2
        ? `<KeyCount>${contents.length + prefixes.length}</KeyCount>`
        : `<Marker>${xml(encode(after))}</Marker>`,
      `<MaxKeys>${maxKeys}</MaxKeys>`,
      delimiter ? `<Delimiter>${xml(encode(delimiter))}</Delimiter>` : '',
      q.get('encoding-type') === 'url' ? '<EncodingType>url</EncodingType>' : '',
      `<IsTruncated>${truncated}</IsTruncated>`,
      next,
    ].join('');
    const common = prefixes.map((p) => `<CommonPrefixes><Prefix>${xml(encode(p))}</Prefix></CommonPrefixes>`);
    return xmlAnswer(
      `<ListBucketResult xmlns="${NS}">${head}${contents.join('')}${common.join('')}</ListBucketResult>`,
    );
  }

  private async deleteObjects(
    req: IncomingMessage,
    bucket: string,
    objects: Map<string, StoredObject>,
  ): Promise<Answer> {
    const text = (await digest(req)).body?.toString('utf8') ?? '';
    const keys = [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
      m[1]!.replace(
        /&(lt|gt|amp|quot|apos);/g,
        (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!,
      ),
    );
    for (const key of keys) objects.delete(key);
    this.sortedKeys.delete(bucket);
    const deleted = keys.map((k) => `<Deleted><Key>${xml(k)}</Key></Deleted>`).join('');
    return xmlAnswer(`<DeleteResult xmlns="${NS}">${deleted}</DeleteResult>`);
  }

  private async multipart(
    req: IncomingMessage,
    url: URL,
    action: string,
    bucket: string,
    key: string,
    objects: Map<string, StoredObject>,
  ): Promise<Answer> {
    const uploadId = url.searchParams.get('uploadId') ?? '';
    if (action === 'CreateMultipartUpload') {
      req.resume();
      const id = randomUUID();
      const contentType = String(req.headers['content-type'] ?? 'binary/octet-stream');
      this.uploads.set(id, { bucket, key, contentType, metadata: metadataOf(req), parts: new Map() });
      return xmlAnswer(
        `<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      req.resume();
      return s3Error('NoSuchUpload', 404, 'The specified upload does not exist.');
    }
    if (action === 'UploadPart') {
      const { md5, size } = await this.body(req);
      const given = req.headers['content-md5'];
      if (given && given !== md5.toString('base64'))
        return s3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
      upload.parts.set(Number(url.searchParams.get('partNumber')), { etag: md5.toString('hex'), size });
      return empty(200, { ETag: `"${md5.toString('hex')}"` });
    }
    if (action === 'AbortMultipartUpload') {
      req.resume();
      this.uploads.delete(uploadId);
      return empty(204);
    }
    return this.complete(req, uploadId, upload, objects);
  }

  private async complete(
    req: IncomingMessage,
    uploadId: string,
    upload: OpenUpload,
    objects: Map<string, StoredObject>,
  ): Promise<Answer> {
    const text = (await digest(req)).body?.toString('utf8') ?? '';
    const listed = [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
      number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]),
      etag: (/<ETag>([^<]*)<\/ETag>/.exec(m[1]!)?.[1] ?? '').replace(/&quot;|&#34;|"/g, ''), // Go's XML encoder (rclone) writes &#34;
    }));
    const digests: Buffer[] = [];
    const sizes: number[] = [];
    for (const { number, etag } of listed) {
      const part = upload.parts.get(number);
      if (!part || part.etag !== etag)
        return s3Error('InvalidPart', 400, 'One or more of the specified parts could not be found.');
      digests.push(Buffer.from(part.etag, 'hex'));
      sizes.push(part.size);
    }
    const etag = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${listed.length}`;
    this.store(upload.bucket, upload.key, objects, {
      size: sizes.reduce((a, b) => a + b, 0),
      etag,
      lastModified: new Date(),
      contentType: upload.contentType,
      metadata: upload.metadata,
      partSizes: sizes,
    });
    this.uploads.delete(uploadId);
    return xmlAnswer(
      `<CompleteMultipartUploadResult xmlns="${NS}"><Location>/${xml(upload.bucket)}/${xml(upload.key)}</Location><Bucket>${xml(upload.bucket)}</Bucket><Key>${xml(upload.key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`,
    );
  }
}
