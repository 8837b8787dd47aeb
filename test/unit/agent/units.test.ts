import { describe, expect, it } from 'vitest';
import { formatInterval, parseByteSize, parseInterval } from '../../../src/agent/units.js';
import { formatBytes } from '../../../src/agent/plan.js';
import { agentSessionName } from '../../../src/agent/credentials.js';
import { defaultStateDir, mountOf } from '../../../src/agent/stateDir.js';
import { closest } from '../../../src/agent/configFile.js';

describe('agent units', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1000],
    ['1.5s', 1500],
    [' 5m ', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['30', 30_000],
    [2, 2000],
    ['fast', undefined],
    ['1 minute', undefined],
    ['-1s', undefined],
    [-1, undefined],
  ])('parseInterval(%j) = %j', (input, ms) => {
    expect(parseInterval(input)).toBe(ms);
  });

  it.each([
    ['1024', 1024],
    ['64KiB', 65_536],
    ['64kib', 65_536],
    ['100MB', 100_000_000],
    ['1GiB', 1024 ** 3],
    ['1.5 GiB', 1.5 * 1024 ** 3],
    [4096, 4096],
    ['lots', undefined],
    ['1 GiBs', undefined],
    [1.5, undefined],
  ])('parseByteSize(%j) = %j', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each([
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [300_000, '5m'],
    [90_000, '1m30s'],
    [7_200_000, '2h'],
  ])('formatInterval(%j) = %j', (ms, text) => {
    expect(formatInterval(ms)).toBe(text);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1024 ** 3, '1 GiB'],
  ])('formatBytes(%j) = %j', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('names the session after the host, within RoleSessionName rules', () => {
    expect(agentSessionName('edge-7.local')).toBe('tempcreds-agent-edge-7.local');
    expect(agentSessionName('a b/c')).toBe('tempcreds-agent-a-b-c');
    expect(agentSessionName('x'.repeat(100))).toHaveLength(64);
  });

  it('keeps state under /var/lib for root and under XDG_STATE_HOME or ~/.local/state for others', () => {
    expect(defaultStateDir({}, 0, '/root')).toBe('/var/lib/tempcreds/agent');
    expect(defaultStateDir({}, 1000, '/home/u')).toBe('/home/u/.local/state/tempcreds/agent');
    expect(defaultStateDir({ XDG_STATE_HOME: '/srv/state' }, 1000, '/home/u')).toBe(
      '/srv/state/tempcreds/agent',
    );
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative' }, 1000, '/home/u')).toBe(
      '/home/u/.local/state/tempcreds/agent',
    );
  });

  it('finds the mount of a path: the longest mount point that holds it', () => {
    const mounts = [
      { point: '/', type: 'ext4', readOnly: false },
      { point: '/run', type: 'tmpfs', readOnly: false },
      { point: '/running', type: 'xfs', readOnly: false },
    ];
    expect(mountOf('/run/tempcreds', mounts)?.type).toBe('tmpfs');
    expect(mountOf('/running/x', mounts)?.type).toBe('xfs');
    expect(mountOf('/var/lib', mounts)?.type).toBe('ext4');
  });

  it('suggests the closest key for a typo, and nothing for a stranger', () => {
    expect(closest('flushIntrval', ['flushInterval', 'files'])).toBe('flushInterval');
    expect(closest('deliverystream', ['deliveryStream'])).toBe('deliveryStream');
    expect(closest('zzz', ['flushInterval', 'files'])).toBeUndefined();
  });
});
