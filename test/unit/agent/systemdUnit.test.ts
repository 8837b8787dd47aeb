/** The systemd unit's text: the command line with the agent's Node flags, quoting, and the hardening. */
import { describe, expect, it } from 'vitest';
import type { AgentConfig, FlowConfig, SyncConfig } from '../../../src/agent/config.js';
import { AGENT_NODE_FLAGS } from '../../../src/agent/nodeFlags.js';
import { systemdUnit } from '../../../src/agent/systemdUnit.js';

const flow = (name: string, files: string[]): FlowConfig => ({
  name,
  files,
  deliveryStream: 'iot-data-collector',
  format: { kind: 'lines' },
  startAt: 'end',
  appendNewline: true,
  flushIntervalMs: 1000,
  oversize: 'deadLetter',
  concurrency: 4,
});

const sync = (from: string, to: string): SyncConfig => ({
  name: 'uploads',
  from,
  to,
  everyMs: 300_000,
  delete: false,
  exclude: [],
  include: [],
  sizeOnly: false,
  checksum: false,
});

const config = (over: Partial<AgentConfig> = {}): AgentConfig => ({
  file: '/etc/tempcreds/agent.yaml',
  credentials: { kind: 'profile', profile: 'iot-collector' },
  stateDir: '/var/lib/tempcreds/agent',
  pollIntervalMs: 250,
  drainTimeoutMs: 10_000,
  refusalRetryMs: 60_000,
  flows: [flow('readings', ['/var/log/collector/*.log*'])],
  syncs: [sync('/var/lib/collector/out', 's3://serverless-hands-on/rclone_copy/')],
  spool: { maxBytes: 1024 ** 3 },
  server: { enabled: false, port: 0 },
  ...over,
});

const NODE = '/usr/bin/node';
const CLI = '/opt/tempcreds/bin/tempcreds.cjs';
const lines = (text: string, key: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

describe('systemdUnit', () => {
  it('starts node with the agent flags before the script', () => {
    expect(AGENT_NODE_FLAGS).toEqual(['--max-semi-space-size=8']);
    const unit = systemdUnit(config(), { command: [NODE, ...AGENT_NODE_FLAGS, CLI], environment: {} });
    expect(lines(unit, 'ExecStart')).toEqual([
      '/usr/bin/node --max-semi-space-size=8 /opt/tempcreds/bin/tempcreds.cjs agent run --config /etc/tempcreds/agent.yaml',
    ]);
  });

  it('quotes paths with spaces or quotes, on ExecStart and Environment', () => {
    const unit = systemdUnit(config({ file: '/etc/temp creds/agent "main".yaml' }), {
      command: [NODE, ...AGENT_NODE_FLAGS, '/opt/temp creds/bin/tempcreds.cjs'],
      environment: { AWS_CONFIG_FILE: '/home/me/aws files/config', AWS_SHARED_CREDENTIALS_FILE: '/c' },
    });
    expect(lines(unit, 'ExecStart')).toEqual([
      '/usr/bin/node --max-semi-space-size=8 "/opt/temp creds/bin/tempcreds.cjs" agent run --config "/etc/temp creds/agent \\"main\\".yaml"',
    ]);
    expect(lines(unit, 'Environment')).toEqual([
      '"AWS_CONFIG_FILE=/home/me/aws files/config"',
      'AWS_SHARED_CREDENTIALS_FILE=/c',
    ]);
  });

  it('uses StateDirectory= under /var/lib, and writes only the state and data folders', () => {
    const unit = systemdUnit(
      config({
        flows: [flow('a', ['/var/log/collector/*.log*', '/srv/app/**/*.json']), flow('b', ['/srv/one.log'])],
      }),
      { command: [NODE, CLI], environment: {} },
    );
    expect(lines(unit, 'StateDirectory')).toEqual(['tempcreds/agent']);
    expect(lines(unit, 'StateDirectoryMode')).toEqual(['0700']);
    expect(lines(unit, 'ReadWritePaths')).toEqual([
      '-/var/lib/tempcreds/agent -/srv -/srv/app -/var/lib/collector/out -/var/log/collector',
    ]);
    expect(lines(unit, 'User')).toEqual([]);
  });

  it('runs as the user who asked, keeps a state dir elsewhere as it is, and waits out the drain', () => {
    const unit = systemdUnit(
      config({
        stateDir: '/home/me/.local/state/tempcreds/agent',
        drainTimeoutMs: 30_500,
        syncs: [sync('s3://serverless-hands-on/in/', '/home/me/in')],
      }),
      { command: [NODE, CLI], user: 'me', environment: {} },
    );
    expect(lines(unit, 'User')).toEqual(['me']);
    expect(lines(unit, 'StateDirectory')).toEqual([]);
    expect(lines(unit, 'ReadWritePaths')).toEqual([
      '-/home/me/.local/state/tempcreds/agent -/home/me/in -/var/log/collector',
    ]);
    expect(lines(unit, 'TimeoutStopSec')).toEqual(['46']);
    for (const hardening of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'Restart=always'])
      expect(unit.split('\n')).toContain(hardening);
  });
});
