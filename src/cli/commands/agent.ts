import { realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import type { AgentConfigError } from '../../agent/configError.js';
import { action } from '../action.js';
import type { CommandContext } from '../context.js';
import { agentLogger } from '../agentLog.js';
import type { RegisterCommand } from '../command.js';

/*
 * `tempcreds agent run|check|status|systemd-unit`. Thin: flags to input, one library call. The
 * agent's modules (SQLite, YAML, the schema, Prometheus) load only here, on demand.
 */

interface ConfigFlag {
  config?: string;
}

function requireConfig(flags: ConfigFlag): string {
  if (!flags.config)
    throw usageError('--config is required.', 'Pass --config /etc/tempcreds/agent.yaml (YAML or JSON).');
  return flags.config;
}

async function loadConfig(ctx: CommandContext, file: string) {
  const { loadAgentConfig } = await import('../../agent/loadConfig.js');
  return loadAgentConfig(file, { env: ctx.io.env, cwd: ctx.io.cwd });
}

/** Every issue of a bad config, two lines each, then exit 2; anything else is rethrown. */
async function reportConfigIssues(ctx: CommandContext, err: unknown): Promise<number> {
  const { AgentConfigError, formatIssues } = await import('../../agent/configError.js');
  if (!(err instanceof AgentConfigError)) throw err;
  for (const line of formatIssues((err as AgentConfigError).issues)) ctx.io.stderr.write(`${line}\n`);
  return 2;
}

async function check(ctx: CommandContext, flags: ConfigFlag): Promise<number> {
  const file = requireConfig(flags);
  try {
    const config = await loadConfig(ctx, file);
    const { describePlan } = await import('../../agent/plan.js');
    if (ctx.globals.output === 'json')
      ctx.io.stdout.write(
        JSON.stringify(config, (_k, v: unknown) => (v instanceof RegExp ? v.source : v), 2) + '\n',
      );
    else ctx.io.stdout.write(describePlan(config).join('\n') + '\n');
    return 0;
  } catch (err) {
    return reportConfigIssues(ctx, err);
  }
}

async function run(ctx: CommandContext, flags: ConfigFlag): Promise<number> {
  const file = requireConfig(flags);
  const { runAgent } = await import('../../agent/run.js');
  const { levelOf } = await import('../../agent/events.js');
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

async function status(ctx: CommandContext, flags: ConfigFlag & { stateDir?: string }): Promise<number> {
  if (flags.config && flags.stateDir)
    throw usageError('--config and --state-dir exclude each other.', 'Pass one of them.');
  let stateDir = flags.stateDir;
  if (!stateDir) {
    try {
      stateDir = (await loadConfig(ctx, requireConfig(flags))).stateDir;
    } catch (err) {
      return reportConfigIssues(ctx, err);
    }
  }
  const { agentStatus, statusLines } = await import('../../agent/status.js');
  const figures = agentStatus(stateDir);
  ctx.io.stdout.write(
    ctx.output === 'json' ? JSON.stringify(figures, null, 2) + '\n' : statusLines(figures).join('\n') + '\n',
  );
  return 0;
}

async function unit(ctx: CommandContext, flags: ConfigFlag): Promise<number> {
  let config;
  try {
    config = await loadConfig(ctx, requireConfig(flags));
  } catch (err) {
    return reportConfigIssues(ctx, err);
  }
  const { systemdUnit } = await import('../../agent/systemdUnit.js');
  const uid = process.getuid?.();
  ctx.io.stdout.write(
    systemdUnit(config, {
      command: [process.execPath, realpathSync(process.argv[1] ?? 'tempcreds')],
      user: uid !== undefined && uid !== 0 ? userInfo().username : undefined,
      environment: {
        AWS_CONFIG_FILE: ctx.files.configFile,
        AWS_SHARED_CREDENTIALS_FILE: ctx.files.credentialsFile,
      },
    }),
  );
  return 0;
}

export const registerAgent: RegisterCommand = (program: Command, io, setExitCode) => {
  const agent = program
    .command('agent')
    .description(
      'the collector: follow files into Firehose and sync folders to S3, for months, losing nothing',
    );
  const withConfig = (cmd: Command) => cmd.option('--config <file>', 'the agent config (YAML or JSON)');
  withConfig(
    agent.command('run').description('run the agent (SIGTERM/SIGINT: drain and exit 0; SIGHUP: reload)'),
  ).action(action(io, setExitCode, (ctx, flags: ConfigFlag) => run(ctx, flags)));
  withConfig(
    agent
      .command('check')
      .description('validate the config and print what would run (exit 2 with file:line:column on errors)'),
  ).action(action(io, setExitCode, (ctx, flags: ConfigFlag) => check(ctx, flags)));
  withConfig(
    agent.command('status').description('the figures of the state dir, whether the agent runs or not'),
  )
    .option('--state-dir <dir>', 'the state dir (instead of --config)')
    .action(action(io, setExitCode, (ctx, flags: ConfigFlag & { stateDir?: string }) => status(ctx, flags)));
  withConfig(
    agent.command('systemd-unit').description('print a hardened systemd unit for agent run --config FILE'),
  ).action(action(io, setExitCode, (ctx, flags: ConfigFlag) => unit(ctx, flags)));
};
