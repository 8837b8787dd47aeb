/**
 * Who is on the other end of a loopback TCP connection, on Linux: `/proc/net/tcp` lists every
 * socket with its owner's uid, so the client side of a connection to our port names the user
 * whose process opened it (what identd answers). Elsewhere: unknown.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/** One end of a TCP connection. */
export interface Endpoint {
  /** IPv4 address, dotted (an IPv4-mapped IPv6 `::ffff:` form is taken too). */
  address: string;
  /** TCP port. */
  port: number;
}

/**
 * The uid owning the socket whose local end is `client` and remote end `server`, from the text of
 * `/proc/net/tcp`; undefined when no such line (or not IPv4). Addresses there are hex in the
 * host's byte order, ports hex big-endian.
 */
export function uidOfConnection(
  procNetTcp: string,
  client: Endpoint,
  server: Endpoint,
  littleEndian = endianness() === 'LE',
): number | undefined {
  const local = hexEndpoint(client, littleEndian);
  const remote = hexEndpoint(server, littleEndian);
  if (!local || !remote) return undefined;
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.toUpperCase() === local && fields[2]?.toUpperCase() === remote) {
      const uid = Number(fields[7]);
      return Number.isInteger(uid) ? uid : undefined;
    }
  }
  return undefined;
}

function hexEndpoint({ address, port }: Endpoint, littleEndian: boolean): string | undefined {
  const octets = address
    .replace(/^::ffff:/, '')
    .split('.')
    .map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  const ordered = littleEndian ? [...octets].reverse() : octets;
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  return `${ordered.map((o) => hex(o, 2)).join('')}:${hex(port, 4)}`;
}

/** The uid of the process that opened this connection to us, on Linux; undefined where that cannot be told. */
export function peerUid(client: Endpoint, server: Endpoint): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return uidOfConnection(readFileSync('/proc/net/tcp', 'utf8'), client, server);
  } catch {
    return undefined;
  }
}
