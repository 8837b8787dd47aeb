import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthReport {
  healthy: boolean;
  reasons: string[];
}

export interface AgentHttp {
  url: string;
  close(): Promise<void>;
}

/**
 * `/health` (200 while everything delivers and the credentials are fresh, 503 with the reasons) and
 * `/metrics` (Prometheus text format) on a loopback address. Requests with an `Origin` (a browser)
 * are refused: nothing here is for web pages.
 */
export async function startAgentHttp(
  host: string,
  port: number,
  handlers: { health: () => HealthReport; metrics: () => Promise<{ contentType: string; body: string }> },
): Promise<AgentHttp> {
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.headers.origin) return send(403, 'text/plain', 'cross-origin requests are refused\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
    if (path === '/health') {
      const report = handlers.health();
      return send(
        report.healthy ? 200 : 503,
        'application/json',
        JSON.stringify({ status: report.healthy ? 'ok' : 'unhealthy', reasons: report.reasons }) + '\n',
      );
    }
    if (path === '/metrics') {
      handlers.metrics().then(
        (m) => send(200, m.contentType, m.body),
        (err: unknown) => send(500, 'text/plain', `${err instanceof Error ? err.message : String(err)}\n`),
      );
      return;
    }
    send(404, 'text/plain', 'try /health or /metrics\n');
  });
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      listening();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
