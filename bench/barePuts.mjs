// The floor moto allows for `sync up`: the same PutObjects from the leanest possible client, a
// Node process sending bare HTTP PUTs (Content-MD5, no SDK, no signing: moto's S3 does not check
// signatures with IAM enforcement off), 10 at a time, each on a new connection as moto requires.
// Not a product path; it only tells how much of a sync's time is moto's own.
// Usage: node bench/barePuts.mjs ENDPOINT BUCKET PREFIX FOLDER
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join, relative } from 'node:path';

const [endpoint, bucket, prefix, folder] = process.argv.slice(2);
const files = readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => join(entry.parentPath, entry.name));
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });

function put(path) {
  const body = readFileSync(path);
  const key = prefix + relative(folder, path).split('\\').join('/');
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${endpoint}/${bucket}/${key}`,
      {
        method: 'PUT',
        agent,
        headers: {
          'content-length': body.length,
          'content-md5': createHash('md5').update(body).digest('base64'),
          // moto routes a request to S3 by the credential scope of its Authorization header.
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`${key}: ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (next < files.length) await put(files[next++]);
  }),
);
