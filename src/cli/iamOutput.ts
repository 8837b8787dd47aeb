/**
 * What the administrator commands print (setup, teardown, rotate-key, role, doctor): the library
 * returns plans, events and reports; this turns them into lines. Nothing here decides anything.
 */
import type { DoctorCheck, DoctorReport } from '../iam/doctor.js';
import type { RoleSummary } from '../iam/role.js';
import type { RotateKeyEvent, RotateKeyResult } from '../iam/rotateKey.js';
import type { SetupEvent, SetupResult } from '../iam/setup.js';
import { stepLabel, type SetupPlan } from '../iam/setupPlan.js';
import type { TeardownPlan, TeardownStep } from '../iam/teardown.js';
import { aligner, table } from './format.js';
import type { CliIo } from './io.js';

type Out = CliIo['stdout'];

function planRows(plan: SetupPlan): string[][] {
  return plan.steps.map((step) => [...stepLabel(step), step.state]);
}

/** Setup's output: the plan with its notes, then a line per step as it is applied, then the outcome. */
export function setupPrinter(stdout: Out): {
  onEvent(event: SetupEvent): void;
  end(result: SetupResult): void;
} {
  let line = aligner([]);
  return {
    onEvent(event) {
      if (event.type === 'plan') {
        const { plan } = event;
        const rows = planRows(plan);
        line = aligner(rows);
        stdout.write(`Setup in account ${plan.accountId} (${plan.partition}) for ${plan.roleArn}:\n`);
        stdout.write(rows.map(line).join('') + plan.notes.map((note) => `note: ${note}\n`).join(''));
      } else if (event.state === 'created' || event.state === 'updated') {
        stdout.write(line([...event.label, event.state]));
      }
    },
    end(result) {
      const changes = result.applied.filter((a) => a.state === 'created' || a.state === 'updated').length;
      const messages = {
        'dry-run': 'Dry run: nothing was changed.',
        'nothing-to-do': 'Nothing to do.',
        declined: 'Not applied: nothing was changed.',
        applied: `Done: ${changes} change${changes === 1 ? '' : 's'}.`,
      };
      stdout.write(messages[result.outcome] + '\n');
    },
  };
}

/** Teardown's plan and its notes; returns the function that prints a step once it is removed. */
export function printTeardownPlan(
  stdout: Out,
  plan: TeardownPlan,
  label: (step: TeardownStep) => [string, string],
): (step: TeardownStep) => void {
  stdout.write(`Teardown in account ${plan.accountId} (${plan.partition}):\n`);
  const rows = plan.steps.map((step) => [...label(step), step.state]);
  const line = aligner(rows);
  stdout.write(rows.map(line).join(''));
  for (const step of plan.steps)
    if (step.reason && step.state === 'kept')
      stdout.write(`note: ${label(step).join(' ')} kept: ${step.reason}.\n`);
  return (step) => stdout.write(line([...label(step), 'removed']));
}

function rotateKeyRow(event: RotateKeyEvent): string[] {
  switch (event.type) {
    case 'created':
      return ['created', `new key ${event.accessKeyId}`];
    case 'written':
      return ['written', `${event.accessKeyId} into profile ${event.profile}`];
    case 'verified':
      return ['verified', `AWS accepts ${event.accessKeyId}`];
    case 'deactivated':
      return ['deactivated', `old key ${event.accessKeyId}`];
    case 'deleted':
      return ['deleted', `old key ${event.accessKeyId}`];
  }
}

/** rotate-key's output: a line per step as it happens, then what was rotated (never a secret). */
export function rotateKeyPrinter(stdout: Out): {
  onEvent(event: RotateKeyEvent): void;
  end(result: RotateKeyResult): void;
} {
  const line = aligner([['deactivated', '']]);
  return {
    onEvent: (event) => void stdout.write(line(rotateKeyRow(event))),
    end: (result) =>
      void stdout.write(
        `Rotated user ${result.userName}'s key in profile ${result.profile}: ${result.oldAccessKeyId} -> ${result.newAccessKeyId}` +
          (result.oldKeyDeleted ? '.\n' : ` (the old key was no longer in IAM).\n`),
      ),
  };
}

/** `12h`, `1h 30m`. */
export function hours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h}h ${m}m` : `${h}h`;
}

/** `role show` as aligned text: ARN, MaxSessionDuration, and one line per trusted principal. */
export function roleText(role: RoleSummary): string {
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

/** `role show --output json`, in the AWS CLI's capitalised style. */
export function roleJson(role: RoleSummary): string {
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

/** `role set-max-duration`'s one line. */
export function maxDurationLine({
  roleArn,
  from,
  to,
}: {
  roleArn: string;
  from: number;
  to: number;
}): string {
  return from === to
    ? `${roleArn}: MaxSessionDuration is already ${to} (${hours(to)}).\n`
    : `${roleArn}: MaxSessionDuration ${from} -> ${to} (${hours(to)}).\n`;
}

const NAME_WIDTH = 'identity policy'.length;

/** `ok    trust            ...`, and for a failure its cause and fix on their own lines. */
export function checkText(check: DoctorCheck): string {
  const status = check.status === 'fail' ? 'FAIL' : check.status;
  const pad = ' '.repeat(6 + NAME_WIDTH + 2);
  let text = `${status.padEnd(6)}${check.name.padEnd(NAME_WIDTH)}  ${check.detail}\n`;
  if (check.cause) text += `${pad}cause: ${check.cause}\n`;
  if (check.fix) text += `${pad}fix:   ${check.fix}\n`;
  return text;
}

/** doctor's report as JSON. */
export function doctorJson(report: DoctorReport): string {
  const checks = report.checks.map((c) => ({
    Name: c.name,
    Status: c.status,
    Detail: c.detail,
    Cause: c.cause,
    Fix: c.fix,
  }));
  return JSON.stringify({ RoleArn: report.roleArn, Assumed: report.assumed, Checks: checks }, null, 4) + '\n';
}

/** doctor's last line of text. */
export function doctorResultLine(report: DoctorReport): string {
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  return report.assumed
    ? 'Result: AssumeRole works.\n'
    : `Result: AssumeRole fails${failed.length ? ` (failed: ${failed.join(', ')})` : ''}.\n`;
}
