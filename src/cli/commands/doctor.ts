import type { Command } from 'commander';
import { parseRoleRef } from '../../aws/arn.js';
import { validateProfileName } from '../../config/profileName.js';
import { readProfile } from '../../config/profiles.js';
import { parseExternalId } from '../../credentials/assumeRoleRequest.js';
import { parseDuration } from '../../credentials/duration.js';
import { usageError } from '../../errors.js';
import type { DoctorCheck, DoctorReport } from '../../iam/doctor.js';
import { action } from '../action.js';
import { sourceFor, type CommandContext } from '../context.js';
import { isIotSourceProfile, runIotDoctor } from '../iotDoctor.js';
import type { RegisterCommand } from '../command.js';

interface DoctorFlags {
  sourceProfile?: string;
  adminProfile?: string;
  duration?: string;
  externalId?: string;
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

function checksJson(checks: DoctorCheck[]) {
  return checks.map((c) => ({
    Name: c.name,
    Status: c.status,
    Detail: c.detail,
    Cause: c.cause,
    Fix: c.fix,
  }));
}

function reportJson(report: DoctorReport, before: DoctorCheck[] = []): string {
  const checks = checksJson([...before, ...report.checks]);
  return JSON.stringify({ RoleArn: report.roleArn, Assumed: report.assumed, Checks: checks }, null, 4) + '\n';
}

/** Parses the flags before anything touches the network or the disk. */
function parseDoctorFlags(
  role: string,
  flags: DoctorFlags,
): { durationSeconds?: number; externalId?: string } {
  parseRoleRef(role);
  if (flags.sourceProfile !== undefined) validateProfileName(flags.sourceProfile, '--source-profile');
  if (flags.adminProfile !== undefined) validateProfileName(flags.adminProfile, '--admin-profile');
  const duration = flags.duration === undefined ? undefined : parseDuration(flags.duration, '--duration');
  if (duration === 'max')
    throw usageError(
      'doctor checks one duration: --duration max is not one.',
      'Give seconds or units, e.g. --duration 12h.',
    );
  const externalId =
    flags.externalId === undefined ? undefined : parseExternalId(flags.externalId, '--external-id');
  return { durationSeconds: duration, externalId };
}

/** The administrator's AWS context; its region defaults to the source profile's (IAM is global anyway). */
async function adminContext(ctx: CommandContext, adminProfile: string, sourceProfile: string | undefined) {
  const admin = await sourceFor(ctx, adminProfile);
  const sourceName = sourceProfile ?? ctx.globals.profile ?? ctx.io.env.AWS_PROFILE ?? 'default';
  const region = admin.region ?? (await readProfile(ctx.files, sourceName))?.settings.region;
  if (!region)
    throw usageError(
      `No region for --admin-profile ${adminProfile}.`,
      'Pass --region, or set region in that profile.',
    );
  return { region, endpointUrl: ctx.globals.endpointUrl, credentials: admin.credentials, env: ctx.io.env };
}

export const registerDoctor: RegisterCommand = (program: Command, io, setExitCode) => {
  program
    .command('doctor [role]')
    .description(
      'why assuming ROLE fails, check by check, ending with a real AssumeRole (changes nothing); for an IoT source profile, why it gets no session (ROLE optional)',
    )
    .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
    .option('--admin-profile <profile>', 'administrator profile: enables the role, policy and trust checks')
    .option('--duration <duration>', 'session length to check (default 3600 seconds)')
    .option('--external-id <id>', 'ExternalId to send, as assume would')
    .action(
      action(io, setExitCode, async (ctx, role: string | undefined, flags: DoctorFlags) => {
        const sourceProfile = flags.sourceProfile ?? ctx.globals.profile;
        const sourceName = sourceProfile ?? io.env.AWS_PROFILE ?? 'default';
        const iot = await isIotSourceProfile(ctx, sourceName);
        if (role === undefined && !iot) {
          throw usageError(
            'doctor needs ROLE (or --source-profile of an IoT profile).',
            'Use: tempcreds doctor ROLE --source-profile P [--admin-profile A]',
          );
        }
        const { durationSeconds, externalId } = role === undefined ? {} : parseDoctorFlags(role, flags);
        const admin = flags.adminProfile
          ? await adminContext(ctx, flags.adminProfile, sourceProfile)
          : undefined;
        const json = ctx.globals.output === 'json';
        const print = json ? undefined : (check: DoctorCheck) => io.stdout.write(checkText(check));
        const iotReport = iot
          ? await runIotDoctor(ctx, sourceName, { profile: flags.adminProfile, context: admin }, print)
          : undefined;
        if (role === undefined) {
          if (json)
            io.stdout.write(
              JSON.stringify({ Issued: iotReport!.issued, Checks: checksJson(iotReport!.checks) }, null, 4) +
                '\n',
            );
          return iotReport!.issued ? 0 : 1;
        }
        if (iotReport && !iotReport.issued) {
          if (json)
            io.stdout.write(
              JSON.stringify(
                { RoleArn: undefined, Assumed: false, Checks: checksJson(iotReport.checks) },
                null,
                4,
              ) + '\n',
            );
          return 1;
        }
        const { doctor } = await import('../../iam/doctor.js');
        if (!json)
          io.stdout.write(
            `Can ${sourceProfile ? `profile ${sourceProfile}` : 'the default credentials'} assume ${role}?\n`,
          );
        const report = await doctor(
          { role, sourceProfile, durationSeconds, externalId },
          {
            files: ctx.files,
            env: ctx.io.env,
            region: ctx.globals.region,
            endpointUrl: ctx.globals.endpointUrl,
            admin,
            adminProfile: flags.adminProfile,
            onCheck: print,
          },
        );
        if (json) io.stdout.write(reportJson(report, iotReport?.checks));
        else {
          const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
          io.stdout.write(
            report.assumed
              ? 'Result: AssumeRole works.\n'
              : `Result: AssumeRole fails${failed.length ? ` (failed: ${failed.join(', ')})` : ''}.\n`,
          );
        }
        return report.assumed ? 0 : 1;
      }),
    );
};
