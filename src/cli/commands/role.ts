import type { Command } from 'commander';
import { parseRoleRef } from '../../aws/arn.js';
import { parseMaxSessionDuration } from '../../iam/names.js';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import { maxDurationLine, roleJson, roleText } from '../iamOutput.js';
import type { RegisterCommand } from '../command.js';

export const registerRole: RegisterCommand = (program: Command, io, setExitCode) => {
  const role = program
    .command('role')
    .description("a role's MaxSessionDuration and who may assume it (administrator credentials)");
  role
    .command('show <role>')
    .description('ARN, MaxSessionDuration and trusted principals of ROLE')
    .action(
      action(io, setExitCode, async (ctx, roleRef: string) => {
        parseRoleRef(roleRef);
        const aws = await awsContextFor(ctx);
        const { showRole } = await import('../../iam/role.js');
        const summary = await showRole(roleRef, { aws });
        io.stdout.write(ctx.output === 'json' ? roleJson(summary) : roleText(summary));
      }),
    );
  role
    .command('set-max-duration <role> <seconds>')
    .description("set ROLE's MaxSessionDuration (3600..43200 seconds)")
    .action(
      action(io, setExitCode, async (ctx, roleRef: string, secondsText: string) => {
        parseRoleRef(roleRef);
        const seconds = parseMaxSessionDuration(secondsText, 'SECONDS');
        const aws = await awsContextFor(ctx);
        const { setMaxSessionDuration } = await import('../../iam/role.js');
        io.stdout.write(maxDurationLine(await setMaxSessionDuration(roleRef, seconds, { aws })));
      }),
    );
};
