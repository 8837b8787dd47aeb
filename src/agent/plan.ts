import type { AgentConfig, FlowConfig, SyncConfig } from './config.js';
import { globFiles } from './configChecks.js';
import { isVolatile } from './stateDir.js';
import { formatInterval } from './units.js';

/** `1073741824` -> `1 GiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 || Number.isInteger(value) ? value : value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}

function credentialsLine(config: AgentConfig): string {
  const c = config.credentials;
  if (c.kind === 'profile') return `profile ${c.profile}`;
  const extras = [
    c.durationSeconds ? `durationSeconds ${c.durationSeconds}` : undefined,
    c.externalId ? 'with an externalId' : undefined,
    c.session?.tags ? `${c.session.tags.length} session tags` : undefined,
    c.session?.sourceIdentity ? `sourceIdentity ${c.session.sourceIdentity}` : undefined,
    c.session?.policy || c.session?.policyArns ? 'with session policies' : undefined,
  ].filter(Boolean);
  return `role ${c.role} assumed with profile ${c.sourceProfile ?? '(AWS_PROFILE, else default)'}${extras.length ? ` (${extras.join(', ')})` : ''}; renewed early, never served with less than 15 minutes left`;
}

function flowLine(f: FlowConfig): string {
  const format =
    f.format.kind === 'lines' ? 'lines' : `multiline records starting at /${f.format.startPattern.source}/`;
  const matched = globFiles(f.files).length;
  return `flow ${f.name}: ${f.files.join(', ')} (${matched} file${matched === 1 ? '' : 's'} now) -> Firehose ${f.deliveryStream}; ${format}, startAt ${f.startAt}, ${f.appendNewline ? 'a newline appended' : 'no newline appended'}, flushInterval ${formatInterval(f.flushIntervalMs)}, oversize ${f.oversize}, ${f.concurrency === undefined ? 'calls in flight fitted to the link' : `${f.concurrency} calls in flight`}`;
}

function syncLine(s: SyncConfig): string {
  const filters = [...s.exclude.map((p) => `--exclude ${p}`), ...s.include.map((p) => `--include ${p}`)];
  const options = [
    s.delete ? '--delete' : undefined,
    s.sizeOnly ? '--size-only' : undefined,
    s.checksum ? '--checksum' : undefined,
    ...filters,
  ].filter(Boolean);
  return `sync ${s.name}: ${s.from} -> ${s.to} every ${formatInterval(s.everyMs)}, never overlapping${options.length ? ` (${options.join(' ')})` : ''}`;
}

/** What `agent run` would do with this config, one line per part: `agent check` prints it. */
export function describePlan(config: AgentConfig): string[] {
  return [
    `config ${config.file}: OK`,
    `credentials: ${credentialsLine(config)}`,
    `region: ${config.region ?? "(the profile's)"}${config.endpointUrl ? `, every call to ${config.endpointUrl}` : ''}`,
    `stateDir: ${config.stateDir}${isVolatile(config.stateDir) ? ' (warning: on a tmpfs, it will not survive a reboot)' : ''}`,
    ...config.flows.map(flowLine),
    ...config.syncs.map(syncLine),
    `spool: up to ${formatBytes(config.spool.maxBytes)}; reading pauses when it is full`,
    `server: ${config.server.enabled ? `container credentials on 127.0.0.1:${config.server.port || '(any free port)'}, token in ${config.stateDir}/server-token` : 'off'}`,
    `http: ${config.http ? `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}/health and /metrics` : 'off'}`,
    `on SIGTERM: drain within ${formatInterval(config.drainTimeoutMs)}; SIGHUP reloads flows and syncs`,
  ];
}
