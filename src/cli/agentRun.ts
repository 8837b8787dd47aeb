import { realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { usageError } from '../errors.js';
import type { AgentConfigError } from '../agent/configError.js';
import type { CommandContext } from './context.js';
import { agentLogger } from './agentLog.js';
import { AGENT_NODE_FLAGS } from '../agent/nodeFlags.js';

/**
 * The bodies of `tempcreds agent run|check|status|systemd-unit`: flags to input, one library call,
 * the printing. The agent's modules (SQLite, YAML, the schema, Prometheus) load only here, on demand.
 */

export interface ConfigFlag {
  config?: string;
}

function requireConfig(flags: ConfigFlag): string {
  if (!flags.config)
    throw usageError('--config is required.', 'Pass --config /etc/tempcreds/agent.yaml (YAML or JSON).');
  return flags.config;
}

async function loadConfig(ctx: CommandContext, file: string) {
  const { loadAgentConfig } = await import('../agent/loadConfig.js');
  return loadAgentConfig(file, { env: ctx.io.env, cwd: ctx.io.cwd });
}

/** Every issue of a bad config, two lines each, then exit 2; anything else is rethrown. */
async function reportConfigIssues(ctx: CommandContext, err: unknown): Promise<number> {
  const { AgentConfigError, formatIssues } = await import('../agent/configError.js');
  if (!(err instanceof AgentConfigError)) throw err;
  for (const line of formatIssues((err as AgentConfigError).issues)) ctx.io.stderr.write(`${line}\n`);
  return 2;
}

export function check(ctx: CommandContext, flags: ConfigFlag): Promise<number> {
  return withLoadedConfig(ctx, flags, async (config) => {
    const { describePlan } = await import('../agent/plan.js');
    const text =
      ctx.globals.output === 'json'
        ? JSON.stringify(config, (_k, v: unknown) => (v instanceof RegExp ? v.source : v), 2)
        : describePlan(config).join('\n');
    ctx.io.stdout.write(`${text}\n`);
    return 0;
  });
}

export async function run(ctx: CommandContext, flags: ConfigFlag): Promise<number> {
  const file = requireConfig(flags);
  const { runAgent } = await import('../agent/run.js');
  const { levelOf } = await import('../agent/events.js');
  const log = agentLogger(ctx.io, ctx.log.redactor, levelOf);
  const stop = new AbortController();
  let reload: (() => void) | undefined;
  const onStop = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130); // a second signal: stop waiting for the drain
    stop.abort(signal);
  };
  const onHup = () => reload?.();
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  try {
    await runAgent({
      configFile: file,
      env: ctx.io.env,
      cwd: ctx.io.cwd,
      files: ctx.files,
      onEvent: log,
      stopSignal: stop.signal,
      onReload: (r) => (reload = r),
    });
    return 0;
  } catch (err) {
    return reportConfigIssues(ctx, err);
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
  }
}

/** Loads the config of --config and runs `then` with it; a bad config is reported (exit 2). */
async function withLoadedConfig(
  ctx: CommandContext,
  flags: ConfigFlag,
  then: (config: Awaited<ReturnType<typeof loadConfig>>) => Promise<number> | number,
): Promise<number> {
  let config;
  try {
    config = await loadConfig(ctx, requireConfig(flags));
  } catch (err) {
    return reportConfigIssues(ctx, err);
  }
  return then(config);
}

export async function status(
  ctx: CommandContext,
  flags: ConfigFlag & { stateDir?: string },
): Promise<number> {
  if (flags.config && flags.stateDir)
    throw usageError('--config and --state-dir exclude each other.', 'Pass one of them.');
  const print = async (stateDir: string) => {
    const { agentStatus, statusLines } = await import('../agent/status.js');
    const figures = agentStatus(stateDir);
    const text = ctx.output === 'json' ? JSON.stringify(figures, null, 2) : statusLines(figures).join('\n');
    ctx.io.stdout.write(`${text}\n`);
    return 0;
  };
  return flags.stateDir
    ? print(flags.stateDir)
    : withLoadedConfig(ctx, flags, (config) => print(config.stateDir));
}

export function unit(ctx: CommandContext, flags: ConfigFlag): Promise<number> {
  return withLoadedConfig(ctx, flags, async (config) => {
    const { systemdUnit } = await import('../agent/systemdUnit.js');
    const uid = process.getuid?.();
    ctx.io.stdout.write(
      systemdUnit(config, {
        command: [process.execPath, ...AGENT_NODE_FLAGS, realpathSync(process.argv[1] ?? 'tempcreds')],
        user: uid !== undefined && uid !== 0 ? userInfo().username : undefined,
        environment: {
          AWS_CONFIG_FILE: ctx.files.configFile,
          AWS_SHARED_CREDENTIALS_FILE: ctx.files.credentialsFile,
        },
      }),
    );
    return 0;
  });
}
