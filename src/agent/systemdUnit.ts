import { dirname } from 'node:path';
import type { AgentConfig } from './config.js';
import { picomatch } from './deps.js';

/** How the unit starts the CLI, as whom, with which environment. */
export interface UnitOptions {
  /**
   * The program and arguments that start the CLI: `[node, ...AGENT_NODE_FLAGS, /abs/bin/tempcreds.cjs]`
   * (see {@link AGENT_NODE_FLAGS}).
   */
  command: string[];
  /** `User=` when not root. */
  user?: string;
  /** The environment the service needs to find the same profiles (AWS_CONFIG_FILE, ...). */
  environment: Record<string, string>;
}

/** A value for a unit file: quoted when it has spaces or quotes. */
const quote = (value: string) =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** The folders of the flows' globs (where their files are) and of local sync ends. */
function dataFolders(config: AgentConfig): string[] {
  const folders = config.flows.flatMap((f) =>
    f.files.map((g) => {
      const { base, isGlob } = picomatch().scan(g);
      return isGlob ? base : dirname(g);
    }),
  );
  const local = config.syncs.flatMap((s) => [s.from, s.to].filter((p) => !p.startsWith('s3://')));
  return [...new Set([...folders, ...local])].sort();
}

/**
 * A hardened systemd unit for `agent run --config FILE`: restarted always, its state in
 * `StateDirectory=` when it lives under /var/lib, no new privileges, the file system read-only
 * but for the state and the data folders, and a stop timeout longer than the drain.
 */
export function systemdUnit(config: AgentConfig, options: UnitOptions): string {
  const state = config.stateDir.startsWith('/var/lib/')
    ? config.stateDir.slice('/var/lib/'.length)
    : undefined;
  const writable = [config.stateDir, ...dataFolders(config)].map((p) => `-${quote(p)}`);
  const env = Object.entries(options.environment).map(([k, v]) => `Environment=${quote(`${k}=${v}`)}`);
  return [
    '[Unit]',
    'Description=tempcreds agent: files to Firehose, folders to S3, on temporary credentials',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[...options.command, 'agent', 'run', '--config', config.file].map(quote).join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=always',
    'RestartSec=2',
    `TimeoutStopSec=${Math.ceil(config.drainTimeoutMs / 1000) + 15}`,
    ...(options.user ? [`User=${options.user}`] : []),
    ...env,
    ...(state ? [`StateDirectory=${state}`, 'StateDirectoryMode=0700'] : []),
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    `ReadWritePaths=${writable.join(' ')}`,
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
