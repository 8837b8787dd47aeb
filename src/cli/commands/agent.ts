import type { Command } from 'commander';
import { action } from '../action.js';
import type { RegisterCommand } from '../command.js';
import { check, run, status, unit, type ConfigFlag } from '../agentRun.js';

/** `tempcreds agent run|check|status|systemd-unit`: registration only; the bodies are in ../agentRun.ts. */
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
