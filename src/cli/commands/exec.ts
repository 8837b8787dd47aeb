import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { childEnv } from '../../exec/childEnv.js';
import { findCommand } from '../../exec/findCommand.js';
import { runCommand, signalExitCode } from '../../exec/runCommand.js';
import { action } from '../action.js';
import { addAssumeOptions, parseAssumeRequest, type AssumeFlags, type CommandContext } from '../context.js';
import { execCredentials, splitExecOperands, type ExecCredentials } from '../execCredentials.js';
import type { RegisterCommand } from '../command.js';

interface ExecOptions extends AssumeFlags {
  server?: boolean;
  tokenFile?: boolean;
}

/** The server renews this long before expiry: botocore refreshes at 15 minutes left. */
const SERVER_MIN_TTL_SECONDS = 20 * 60;

/**
 * What the child gets besides the parent's environment: fixed keys, or with `--server` the
 * endpoint and files of its own (src/exec/serveToChild.ts); the region and `--endpoint-url` either way.
 */
async function childCredentials(
  ctx: CommandContext,
  session: ExecCredentials,
  options: ExecOptions,
): Promise<{ set: Record<string, string>; close(): Promise<void> }> {
  const region = { AWS_REGION: session.region, AWS_DEFAULT_REGION: session.region };
  const endpoint: Record<string, string> = ctx.globals.endpointUrl
    ? { AWS_ENDPOINT_URL: ctx.globals.endpointUrl }
    : {};
  if (!options.server) {
    const set = { ...(await session.fixedEnv()), ...endpoint };
    return { set, close: async () => undefined };
  }
  const { serveToChild } = await import('../../exec/serveToChild.js');
  const served = await serveToChild({
    credentials: session.provider,
    configFile: ctx.files.configFile,
    tokenFile: options.tokenFile,
    onError: (err) =>
      ctx.log.warn(`credential refresh failed: ${err instanceof Error ? err.message : String(err)}`),
  });
  ctx.log.redactor.add(served.authorizationToken);
  ctx.log.debug(`credentials endpoint ${served.url}`);
  return { set: { ...served.env, ...region, ...endpoint }, close: served.close };
}

export const registerExec: RegisterCommand = (program: Command, io, setExitCode) => {
  addAssumeOptions(
    program
      .command('exec [role] [command...]')
      .description(
        'run COMMAND with ROLE credentials (or, without ROLE, those of --profile) in its environment: tempcreds exec [ROLE] -- COMMAND [ARGS...]',
      ),
  )
    .option(
      '--server',
      'serve refreshing credentials on 127.0.0.1 instead of fixed keys (for long-running children)',
    )
    .option(
      '--token-file',
      'with --server: give the endpoint token in a 0600 file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE), not in the environment',
    )
    .action(
      action(
        io,
        setExitCode,
        async (ctx, roleArg: string | undefined, rest: string[], options: ExecOptions, cmd: Command) => {
          const { role, command } = splitExecOperands(cmd, roleArg, rest);
          const request = role === undefined ? undefined : parseAssumeRequest(ctx, role, options);
          const [program, ...args] = command;
          if (!program)
            throw usageError(
              'exec needs a command to run.',
              'Use: tempcreds exec [ROLE] -- COMMAND [ARGS...]',
            );
          if (options.tokenFile && !options.server)
            throw usageError('--token-file goes with --server.', 'Add --server, or leave --token-file out.');
          findCommand(program, io.env, io.cwd);
          const session = await execCredentials(
            ctx,
            request,
            options,
            options.server ? SERVER_MIN_TTL_SECONDS : undefined,
          );
          const { set, close } = await childCredentials(ctx, session, options);
          try {
            const result = await runCommand(program, args, childEnv(io.env, set));
            if (result.signal) return signalExitCode(result.signal);
            return result.code ?? 1;
          } finally {
            await close();
          }
        },
      ),
    );
};
