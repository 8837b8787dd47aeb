import { describe, expect, it } from 'vitest';
import { uidOfConnection } from '../../../src/console/peerUid.js';

// /proc/net/tcp of a little-endian host: the browser's socket 127.0.0.1:40000 -> 127.0.0.1:8080,
// the server's accepted end the other way round, a listener, and another user's connection.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
   3: 0100007F:9C41 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 4 1 0 20 4 30 10 -1
`;
const server = { address: '127.0.0.1', port: 8080 };

describe('uidOfConnection', () => {
  it('names the owner of the client end', () => {
    expect(uidOfConnection(TCP, { address: '127.0.0.1', port: 40000 }, server, true)).toBe(1000);
    expect(uidOfConnection(TCP, { address: '::ffff:127.0.0.1', port: 40001 }, server, true)).toBe(65534);
  });

  it('does not take the server end or the listener for the client', () => {
    expect(uidOfConnection(TCP, server, { address: '127.0.0.1', port: 40000 }, true)).toBe(0);
    expect(uidOfConnection(TCP, { address: '127.0.0.1', port: 40002 }, server, true)).toBeUndefined();
  });

  it('reads addresses in the host byte order (big-endian hosts)', () => {
    const be = TCP.replace(/0100007F/g, '7F000001');
    expect(uidOfConnection(be, { address: '127.0.0.1', port: 40000 }, server, false)).toBe(1000);
    expect(uidOfConnection(be, { address: '127.0.0.1', port: 40000 }, server, true)).toBeUndefined();
  });

  it.each(['::1', 'localhost', '127.0.0', '127.0.0.256', ''])('unknown for %j (not IPv4)', (address) => {
    expect(uidOfConnection(TCP, { address, port: 40000 }, server, true)).toBeUndefined();
  });

  it('unknown for an empty or garbled table', () => {
    expect(uidOfConnection('', { address: '127.0.0.1', port: 40000 }, server, true)).toBeUndefined();
    const garbled = TCP.replace('  1000 ', '  x    ');
    expect(uidOfConnection(garbled, { address: '127.0.0.1', port: 40000 }, server, true)).toBeUndefined();
  });
});
