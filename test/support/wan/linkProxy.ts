/**
 * An emulated wide-area link in userspace (the kernel here has no netem): a TCP proxy that
 * delays every chunk by half the round trip in each direction, keeping order; passes each
 * direction through one token bucket shared by all connections (the link's bandwidth); holds
 * a new connection's first bytes for one round trip (the TCP handshake a real link costs; TLS,
 * which real AWS adds, is not emulated); lets at most `windowBytes` wait per connection and
 * direction before it stops reading (the sender's window); and counts the connections opened.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface LinkOptions {
  /** Where the traffic goes: `http://127.0.0.1:PORT`. */
  target: string;
  /** Round-trip time added, in ms (half each way). */
  rttMs: number;
  /** Bandwidth of each direction, in bits a second (default: unlimited). */
  bitsPerSecond?: number;
  /** Bytes that may wait in the link per connection and direction (default 4 MiB, a TCP window). */
  windowBytes?: number;
}

export interface LinkStats {
  /** Client connections accepted (each one a connection to the target too). */
  connections: number;
  /** Bytes carried client to target, and back. */
  bytesUp: number;
  bytesDown: number;
  /** When the first and the last byte client to target left the link (ms, `performance.now`). */
  firstUpAt: number | undefined;
  lastUpAt: number | undefined;
}

export interface LinkProxy {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  readonly stats: LinkStats;
  /** Zeroes the counters (between runs). */
  resetStats(): void;
  stop(): Promise<void>;
}

/** Bytes the token bucket holds: a burst this large passes at once after the link was idle. */
const BUCKET_BYTES = 16 * 1024;

/**
 * One direction's token bucket, shared by every connection: bytes leave it in the order they
 * arrived, at the link's rate once the bucket's few KiB are spent. Returns when `bytes` that
 * arrive at `now` have passed.
 */
function tokenBucket(bitsPerSecond: number | undefined): (bytes: number, now: number) => number {
  if (!bitsPerSecond) return (_bytes, now) => now;
  const bytesPerMs = bitsPerSecond / 8 / 1000;
  const depthMs = BUCKET_BYTES / bytesPerMs;
  // When the bytes given so far will all have passed; an idle link has a full bucket.
  let free = 0;
  return (bytes, now) => {
    free = Math.max(free, now - depthMs) + bytes / bytesPerMs;
    return Math.max(free, now);
  };
}

interface Pending {
  chunk: Buffer;
  dueAt: number;
}

/** Carries `from` to `to` through the link: the token bucket, then half the round trip, in order. */
function pipeThroughLink(
  from: Socket,
  to: Socket,
  options: {
    pass: (bytes: number, now: number) => number;
    delayMs: number;
    notBefore: number;
    windowBytes: number;
    onDelivered: (bytes: number, at: number) => void;
  },
): void {
  const queue: Pending[] = [];
  let waiting = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const deliver = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.dueAt <= now + 0.5) {
      const { chunk } = queue.shift()!;
      waiting -= chunk.length;
      if (!to.destroyed) to.write(chunk);
      options.onDelivered(chunk.length, now);
    }
    if (waiting <= options.windowBytes / 2 && from.isPaused()) from.resume();
    if (queue.length > 0) timer = setTimeout(deliver, Math.max(0, queue[0]!.dueAt - performance.now()));
    else if (ended && !to.destroyed) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const passed = options.pass(chunk.length, Math.max(now, options.notBefore));
    queue.push({ chunk, dueAt: passed + options.delayMs });
    waiting += chunk.length;
    if (waiting > options.windowBytes) from.pause();
    timer ??= setTimeout(deliver, Math.max(0, queue[0]!.dueAt - now));
  });
  // The sender is done: what is on its way still arrives, then the other side hears the end.
  from.on('end', () => {
    ended = true;
    timer ??= setTimeout(deliver, 0);
  });
}

export async function startLinkProxy(options: LinkOptions): Promise<LinkProxy> {
  const target = new URL(options.target);
  const up = tokenBucket(options.bitsPerSecond);
  const down = tokenBucket(options.bitsPerSecond);
  const delayMs = options.rttMs / 2;
  const windowBytes = options.windowBytes ?? 4 * 1024 * 1024;
  const fresh = (): LinkStats => ({
    connections: 0,
    bytesUp: 0,
    bytesDown: 0,
    firstUpAt: undefined,
    lastUpAt: undefined,
  });
  let stats = fresh();
  const sockets = new Set<Socket>();

  // Half-open allowed: a side that ends its sending still gets what is on its way to it.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    stats.connections++;
    const counted = stats;
    const upstream = createConnection({
      host: target.hostname,
      port: Number(target.port),
      allowHalfOpen: true,
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      // A reset on either side resets the other, as a broken link would.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // The handshake: nothing the client sends can arrive before one round trip has passed.
    const notBefore = performance.now() + options.rttMs;
    pipeThroughLink(client, upstream, {
      pass: up,
      delayMs,
      notBefore,
      windowBytes,
      onDelivered: (bytes, at) => {
        counted.bytesUp += bytes;
        counted.firstUpAt ??= at;
        counted.lastUpAt = at;
      },
    });
    pipeThroughLink(upstream, client, {
      pass: down,
      delayMs,
      notBefore: 0,
      windowBytes,
      onDelivered: (bytes) => (counted.bytesDown += bytes),
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get stats() {
      return stats;
    },
    resetStats() {
      stats = fresh();
    },
    async stop() {
      const closed = new Promise((r) => server.close(r));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
