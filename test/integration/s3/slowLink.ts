/**
 * A slow link for the long-haul test: holds each S3 request for a while before passing it on,
 * byte for byte, so a sync of a few files spans several short sessions however fast the machine
 * is. STS and the rest go through at once.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowLink {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startSlowLink(target: string, s3DelayMs: number): Promise<SlowLink> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const isS3 = /\/s3\/aws4_request/.test(req.headers.authorization ?? '');
    req.pause();
    setTimeout(
      () => {
        const upstream = request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.rawHeaders },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
        req.resume();
      },
      isS3 ? s3DelayMs : 0,
    );
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
    },
  };
}
