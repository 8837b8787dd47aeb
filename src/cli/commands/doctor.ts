import type { Command } from 'commander';
import { parseRoleRef } from '../../aws/arn.js';
import { validateProfileName } from '../../config/profileName.js';
import { readProfile } from '../../config/profiles.js';
import { parseExternalId } from '../../credentials/assumeRoleRequest.js';
import { parseDuration } from '../../credentials/duration.js';
import { usageError } from '../../errors.js';
import type { DoctorCheck } from '../../iam/doctor.js';
import { action } from '../action.js';
import {
  addSessionOptions,
  parseAssumeFlags,
  sourceFor,
  type AssumeFlags,
  type CommandContext,
} from '../context.js';
import { checkText, doctorJson, doctorResultLine } from '../iamOutput.js';
import { iotDoctorFirst } from '../iotDoctor.js';
import type { RegisterCommand } from '../command.js';

interface DoctorFlags extends Pick<
  AssumeFlags,
  'tag' | 'transitiveTagKey' | 'sourceIdentity' | 'policy' | 'policyArn'
> {
  sourceProfile?: string;
  adminProfile?: string;
  duration?: string;
  externalId?: string;
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

/** The session options to send (and, with --admin-profile, to check the trust policy for). */
function doctorSession(flags: DoctorFlags, cwd: string) {
  const { tag, transitiveTagKey, sourceIdentity, policy, policyArn } = flags;
  const parsed = parseAssumeFlags({ tag, transitiveTagKey, sourceIdentity, policy, policyArn }, false, cwd);
  return {
    tags: parsed.tags,
    transitiveTagKeys: parsed.transitiveTagKeys,
    sourceIdentity: parsed.sourceIdentity,
    policy: parsed.policy,
    policyArns: parsed.policyArns,
  };
}

export const registerDoctor: RegisterCommand = (program: Command, io, setExitCode) => {
  addSessionOptions(program.command('doctor [role]'))
    .description(
      'why assuming ROLE fails, check by check, ending with a real AssumeRole (changes nothing); for an IoT source profile, first why it gets no session (then ROLE is optional)',
    )
    .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
    .option('--admin-profile <profile>', 'administrator profile: enables the role, policy and trust checks')
    .option('--duration <duration>', 'session length to check (default 3600 seconds)')
    .option('--external-id <id>', 'ExternalId to send, as assume would')
    .action(
      action(io, setExitCode, async (ctx, role: string | undefined, flags: DoctorFlags) => {
        // Bad session options are refused before anything touches the network.
        const session = doctorSession(flags, io.cwd);
        const sourceProfile = flags.sourceProfile ?? ctx.globals.profile;
        const json = ctx.globals.output === 'json';
        const print = json ? undefined : (check: DoctorCheck) => io.stdout.write(checkText(check));
        const adminFor = () => flags.adminProfile && adminContext(ctx, flags.adminProfile, sourceProfile);
        const iot = await iotDoctorFirst(ctx, {
          role,
          sourceProfile,
          adminProfile: flags.adminProfile,
          adminFor,
          print,
        });
        if (iot.exitCode !== undefined) return iot.exitCode;
        const { durationSeconds, externalId } = parseDoctorFlags(role as string, flags);
        const admin = flags.adminProfile
          ? await adminContext(ctx, flags.adminProfile, sourceProfile)
          : undefined;
        const { doctor } = await import('../../iam/doctor.js');
        if (!json)
          io.stdout.write(
            `Can ${sourceProfile ? `profile ${sourceProfile}` : 'the default credentials'} assume ${role}?\n`,
          );
        const report = await doctor(
          { role: role as string, sourceProfile, durationSeconds, externalId, session },
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
        const all = { ...report, checks: [...iot.checks, ...report.checks] };
        io.stdout.write(json ? doctorJson(all) : doctorResultLine(report));
        return report.assumed ? 0 : 1;
      }),
    );
};
