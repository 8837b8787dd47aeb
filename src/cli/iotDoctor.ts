/** `doctor` for an IoT source profile: the IoT checks first, then (with ROLE) the usual ones from its session. */
import type { AwsContext } from '../aws/clients.js';
import type { DoctorCheck } from '../iam/doctor.js';
import { usageError } from '../errors.js';
import type { ExitCode } from './command.js';
import type { CommandContext } from './context.js';
import { doctorJson } from './iamOutput.js';

export interface IotDoctorFirst {
  role: string | undefined;
  sourceProfile: string | undefined;
  adminProfile: string | undefined;
  /** The administrator's context, made only when asked for. */
  adminFor: () => Promise<AwsContext> | '' | undefined;
  /** Prints a check (text output); undefined for JSON. */
  print: ((check: DoctorCheck) => void) | undefined;
}

async function isIotProfileNamed(ctx: CommandContext, profile: string): Promise<boolean> {
  const [{ readProfile }, { isIotProfile }] = await Promise.all([
    import('../config/profiles.js'),
    import('../iot/profile.js'),
  ]);
  const settings = (await readProfile(ctx.files, profile))?.settings;
  return settings !== undefined && isIotProfile(settings);
}

/**
 * When the source is an IoT profile, its checks (printed as they come). `exitCode` is set when
 * doctor ends here: no ROLE, or no session to assume ROLE with. Without an IoT source, nothing
 * happens, and ROLE is required.
 */
export async function iotDoctorFirst(
  ctx: CommandContext,
  o: IotDoctorFirst,
): Promise<{ checks: DoctorCheck[]; exitCode?: ExitCode }> {
  const name = o.sourceProfile ?? ctx.io.env.AWS_PROFILE ?? 'default';
  if (!(await isIotProfileNamed(ctx, name))) {
    if (o.role !== undefined) return { checks: [] };
    throw usageError(
      'doctor needs ROLE (or --source-profile of an IoT profile).',
      'Use: tempcreds doctor ROLE --source-profile P [--admin-profile A]',
    );
  }
  const { iotDoctor } = await import('../iot/doctor.js');
  if (o.print) ctx.io.stdout.write(`Can IoT profile ${name} get a session with its certificate?\n`);
  const report = await iotDoctor(name, {
    files: ctx.files,
    env: ctx.io.env,
    region: ctx.globals.region,
    admin: (await o.adminFor()) || undefined,
    adminProfile: o.adminProfile,
    onCheck: o.print,
  });
  if (o.print) {
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    ctx.io.stdout.write(
      report.issued
        ? 'Result: the credentials provider issues a session.\n'
        : `Result: no session${failed.length ? ` (failed: ${failed.join(', ')})` : ''}.\n`,
    );
  }
  if (o.role !== undefined && report.issued) return { checks: report.checks };
  // JSON has one shape for doctor: Assumed says whether the last step got credentials.
  if (!o.print)
    ctx.io.stdout.write(doctorJson({ roleArn: undefined, assumed: report.issued, checks: report.checks }));
  return { checks: report.checks, exitCode: report.issued ? 0 : 1 };
}
