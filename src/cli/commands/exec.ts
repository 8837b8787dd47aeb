import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { childEnv } from '../../exec/childEnv.js';
import { runCommand, signalExitCode } from '../../exec/runCommand.js';
import { action } from '../action.js';
import { addAssumeOptions, validateAssumeInput, type AssumeFlags } from '../context.js';
import { execCredentials, splitExecOperands } from '../execCredentials.js';
import type { RegisterCommand } from './index.js';

interface ExecOptions extends AssumeFlags {
  server?: boolean;
}

/** The server renews this long before expiry: botocore refreshes at 15 minutes left. */
const SERVER_MIN_TTL_SECONDS = 20 * 60;

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
    .action(
      action(
        io,
        setExitCode,
        async (ctx, roleArg: string | undefined, rest: string[], options: ExecOptions, cmd: Command) => {
          const { role, command } = splitExecOperands(cmd, roleArg, rest);
          if (role !== undefined) validateAssumeInput(ctx, role, options);
          const [program, ...args] = command;
          if (!program)
            throw usageError(
              'exec needs a command to run.',
              'Use: tempcreds exec [ROLE] -- COMMAND [ARGS...]',
            );
          const session = await execCredentials(
            ctx,
            role,
            options,
            options.server ? SERVER_MIN_TTL_SECONDS : undefined,
          );
          const region = { AWS_REGION: session.region, AWS_DEFAULT_REGION: session.region };
          const endpoint: Record<string, string> = ctx.globals.endpointUrl
            ? { AWS_ENDPOINT_URL: ctx.globals.endpointUrl }
            : {};
          let set: Record<string, string>;
          let server: { close(): Promise<void> } | undefined;
          if (options.server) {
            const { startCredentialsServer } = await import('../../credentials/server.js');
            const started = await startCredentialsServer({
              credentials: session.provider,
              onError: (err) =>
                ctx.log.warn(
                  `credential refresh failed: ${err instanceof Error ? err.message : String(err)}`,
                ),
            });
            server = started;
            ctx.log.redactor.add(started.authorizationToken);
            ctx.log.debug(`credentials endpoint ${started.url}`);
            set = { ...started.childEnv(), ...region, ...endpoint };
          } else {
            set = { ...(await session.fixedEnv()), ...endpoint };
          }
          try {
            const result = await runCommand(program, args, childEnv(io.env, set));
            if (result.signal) return signalExitCode(result.signal);
            return result.code ?? 1;
          } finally {
            await server?.close();
          }
        },
      ),
    );
};
