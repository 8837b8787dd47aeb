/** `doctor` for an IoT source profile: the IoT checks first, then (with ROLE) the usual ones from its session. */
import type { AwsContext } from '../aws/clients.js';
import type { DoctorCheck } from '../iam/doctor.js';
import type { CommandContext } from './context.js';

/** The profile doctor would use as the source is an IoT profile. */
export async function isIotSourceProfile(ctx: CommandContext, profile: string): Promise<boolean> {
  const [{ readProfile }, { isIotProfile }] = await Promise.all([
    import('../config/profiles.js'),
    import('../iot/profile.js'),
  ]);
  const settings = (await readProfile(ctx.files, profile))?.settings;
  return settings !== undefined && isIotProfile(settings);
}

/** Runs the IoT checks, printing each (text) as it is known; returns them and whether a session was issued. */
export async function runIotDoctor(
  ctx: CommandContext,
  profile: string,
  admin: { profile?: string; context?: AwsContext },
  print: ((check: DoctorCheck) => void) | undefined,
): Promise<{ checks: DoctorCheck[]; issued: boolean }> {
  const { iotDoctor } = await import('../iot/doctor.js');
  if (print) ctx.io.stdout.write(`Can IoT profile ${profile} get a session with its certificate?\n`);
  const report = await iotDoctor(profile, {
    files: ctx.files,
    env: ctx.io.env,
    region: ctx.globals.region,
    admin: admin.context,
    adminProfile: admin.profile,
    onCheck: print,
  });
  if (print) {
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    ctx.io.stdout.write(
      report.issued
        ? 'Result: the credentials provider issues a session.\n'
        : `Result: no session${failed.length ? ` (failed: ${failed.join(', ')})` : ''}.\n`,
    );
  }
  return report;
}
