import type { Command } from 'commander';
import { parseRoleRef } from '../../aws/arn.js';
import { parseMaxSessionDuration } from '../../iam/names.js';
import type { RoleSummary } from '../../iam/role.js';
import { action } from '../action.js';
import { awsContextFor } from '../context.js';
import { table } from '../format.js';
import type { RegisterCommand } from '../command.js';

function hours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h}h ${m}m` : `${h}h`;
}

function summaryText(role: RoleSummary): string {
  const principals = role.trusted.map((t) => {
    const who = t.type === '*' || t.type === 'AWS' ? t.principal : `${t.type} ${t.principal}`;
    const effect = t.effect === 'Deny' ? 'denied: ' : '';
    const not = t.not ? 'everyone but ' : '';
    return `${effect}${not}${who}${t.conditions.length ? ` (if ${t.conditions.join(' and ')})` : ''}`;
  });
  const rows: Array<[string, string]> = [
    ['RoleArn', role.roleArn],
    ['MaxSessionDuration', `${role.maxSessionDuration} (${hours(role.maxSessionDuration)})`],
    ['Trusted', principals[0] ?? '(nobody: no statement allows sts:AssumeRole)'],
    ...principals.slice(1).map((p): [string, string] => ['', p]),
  ];
  return table(rows);
}

function summaryJson(role: RoleSummary): string {
  const out = {
    RoleArn: role.roleArn,
    RoleName: role.roleName,
    MaxSessionDuration: role.maxSessionDuration,
    TrustedPrincipals: role.trusted.map((t) => ({
      Effect: t.effect,
      Type: t.type,
      Principal: t.principal,
      ...(t.not ? { NotPrincipal: true } : {}),
      Conditions: t.conditions,
    })),
    AssumeRolePolicyDocument: role.trustPolicy,
  };
  return JSON.stringify(out, null, 4) + '\n';
}

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
        const aws = await awsContextFor(ctx, {});
        const { showRole } = await import('../../iam/role.js');
        const summary = await showRole(roleRef, { aws });
        io.stdout.write(ctx.output === 'json' ? summaryJson(summary) : summaryText(summary));
      }),
    );
  role
    .command('set-max-duration <role> <seconds>')
    .description("set ROLE's MaxSessionDuration (3600..43200 seconds)")
    .action(
      action(io, setExitCode, async (ctx, roleRef: string, secondsText: string) => {
        parseRoleRef(roleRef);
        const seconds = parseMaxSessionDuration(secondsText, 'SECONDS');
        const aws = await awsContextFor(ctx, {});
        const { setMaxSessionDuration } = await import('../../iam/role.js');
        const { roleArn, from, to } = await setMaxSessionDuration(roleRef, seconds, { aws });
        io.stdout.write(
          from === to
            ? `${roleArn}: MaxSessionDuration is already ${to} (${hours(to)}).\n`
            : `${roleArn}: MaxSessionDuration ${from} -> ${to} (${hours(to)}).\n`,
        );
      }),
    );
};
