import type { Command } from 'commander';
import { sessionExpiration } from '../../credentials/sessionExpiration.js';
import { action } from '../action.js';
import {
  addRoleOptions,
  awsContextFor,
  flagContext,
  parseCredentialsChoice,
  type AssumeFlags,
} from '../context.js';
import { table, timeLeft } from '../format.js';
import { rfc3339 } from '../../credentials/timestamps.js';
import type { RegisterCommand } from '../command.js';

export const registerWhoami: RegisterCommand = (program: Command, io, setExitCode) => {
  addRoleOptions(
    program.command('whoami').description('account, ARN, and for session credentials the time left'),
  ).action(
    action(io, setExitCode, async (ctx, options: AssumeFlags & { role?: string }) => {
      const { createStsClient, getCallerIdentity } = await import('../../aws/sts.js');
      const aws = await awsContextFor(ctx, parseCredentialsChoice(options, flagContext(ctx)));
      const credentials = await aws.credentials();
      const identity = await getCallerIdentity(createStsClient(aws), ctx.globals.profile, aws.region);
      const expiration = await sessionExpiration(credentials, {
        files: ctx.files,
        profile: ctx.globals.profile ?? io.env.AWS_PROFILE ?? 'default',
        env: io.env,
      });
      if (ctx.output === 'json') {
        io.stdout.write(
          JSON.stringify(
            {
              Account: identity.account,
              Arn: identity.arn,
              UserId: identity.userId,
              Partition: identity.partition,
              Region: aws.region,
              ...(expiration
                ? {
                    Expiration: rfc3339(expiration),
                    SecondsLeft: Math.round((expiration.getTime() - Date.now()) / 1000),
                  }
                : {}),
            },
            null,
            4,
          ) + '\n',
        );
        return;
      }
      const rows: Array<[string, string]> = [
        ['Account', identity.account],
        ['Arn', identity.arn],
        ['UserId', identity.userId],
        ['Region', aws.region],
      ];
      if (expiration) rows.push(['Expires', `${rfc3339(expiration)} (${timeLeft(expiration)})`]);
      else if (!credentials.sessionToken) rows.push(['Expires', 'never (long-lived access key)']);
      io.stdout.write(table(rows));
    }),
  );
};
