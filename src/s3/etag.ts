import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** What an ETag says about the content, when it says anything. */
export type EtagKind =
  | { kind: 'md5'; md5: string }
  | { kind: 'multipart'; parts: number }
  /** SSE-KMS/SSE-C objects and other ETags that are not an MD5 form. */
  | { kind: 'opaque' };

export function parseEtag(etag: string | undefined): EtagKind {
  const value = (etag ?? '').replace(/"/g, '').toLowerCase();
  if (/^[0-9a-f]{32}$/.test(value)) return { kind: 'md5', md5: value };
  const multipart = /^[0-9a-f]{32}-(\d+)$/.exec(value);
  if (multipart) return { kind: 'multipart', parts: Number(multipart[1]) };
  return { kind: 'opaque' };
}

/**
 * The ETag S3 gives a file's content: the MD5 of the body for a single PUT, or for a multipart
 * upload with parts of `partSize` the MD5 of the concatenated part MD5s, then `-N`. Streams the file.
 */
export async function localEtag(path: string, partSize?: number, signal?: AbortSignal): Promise<string> {
  const whole = createHash('md5');
  const partDigests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(path, {
    highWaterMark: 1024 * 1024,
    signal,
  }) as AsyncIterable<Buffer>) {
    if (partSize === undefined) {
      whole.update(chunk);
      continue;
    }
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, partSize - inPart);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === partSize) {
        partDigests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (partSize === undefined) return whole.digest('hex');
  if (inPart > 0 || partDigests.length === 0) partDigests.push(part.digest());
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}
