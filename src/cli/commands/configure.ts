import type { Command } from 'commander';
import { validateProfileName } from '../../config/profileName.js';
import { configSectionName } from '../../config/paths.js';
import { reportLines, updateProfile } from '../../config/write.js';
import { usageError } from '../../errors.js';
import { profileSettings, refuseNativeSession, sessionFlagsOf } from '../../credentials/profileSettings.js';
import { action } from '../action.js';
import {
  addSessionOptions,
  parseAssumeRequest,
  roleSessionFor,
  type AssumeFlags,
  type CommandContext,
} from '../context.js';
import { timeLeft } from '../format.js';
import { launcher } from '../launcher.js';
import type { RegisterCommand } from '../command.js';

interface ConfigureOptions extends AssumeFlags {
  profileName: string;
  mode?: string;
}

/**
 * native, except over an IoT source: a role profile whose source_profile gets its keys from
 * credential_process is unusable for older AWS CLIs (2.9 answers "The source profile must have
 * credentials"), while a credential_process line of its own works for every tool.
 */
async function defaultMode(ctx: CommandContext, sourceProfile: string): Promise<'native' | 'process'> {
  const [{ readProfile }, { isIotProfile }] = await Promise.all([
    import('../../config/profiles.js'),
    import('../../iot/profile.js'),
  ]);
  const settings = (await readProfile(ctx.files, sourceProfile))?.settings;
  return settings && isIotProfile(settings) ? 'process' : 'native';
}

export const registerConfigure: RegisterCommand = (program: Command, io, setExitCode) => {
  addSessionOptions(program.command('configure <role>'))
    .description('write a profile that refreshes itself (native role_arn profile, or credential_process)')
    .requiredOption('--profile-name <name>', 'the profile to write')
    .option('--source-profile <profile>', 'profile whose keys assume the role (default: --profile)')
    .option('--duration <duration>', 'seconds, 15m, 1h, 12h or max (max is resolved now, by asking AWS)')
    .option('--session-name <name>', 'role_session_name (default: tempcreds-<user>)')
    .option('--external-id <id>', 'external_id the role trust policy requires')
    .option(
      '--mode <mode>',
      'native (role_arn + source_profile) or process (credential_process); default native, process with session options or over an IoT source',
    )
    .action(
      action(io, setExitCode, async (ctx, role: string, options: ConfigureOptions) => {
        validateProfileName(options.profileName);
        const request = parseAssumeRequest(ctx, role, options);
        const sessionFlags = sessionFlagsOf(request);
        if (options.mode !== undefined && options.mode !== 'native' && options.mode !== 'process') {
          throw usageError(
            `--mode "${options.mode}" is not native or process.`,
            'Use --mode native or --mode process.',
          );
        }
        const sourceProfile = options.sourceProfile ?? ctx.globals.profile ?? io.env.AWS_PROFILE ?? 'default';
        if (sourceProfile === options.profileName) {
          throw usageError(
            `--profile-name ${sourceProfile} is also the source profile.`,
            'Write the role profile under another name.',
          );
        }
        // botocore and the SDKs read no session-option keys: with them, the default is a process profile.
        const mode = options.mode ?? (sessionFlags ? 'process' : await defaultMode(ctx, sourceProfile));
        refuseNativeSession(mode, sessionFlags);
        // One real AssumeRole: proves the profile will work, completes a role name into an ARN,
        // and turns `max` into the number of seconds the role allows.
        const session = await roleSessionFor(ctx, request, sourceProfile);
        const sessionName = options.sessionName ?? session.roleSessionName.replace(/-\d+$/, '');
        const report = await updateProfile(ctx.files, options.profileName, {
          config: profileSettings({
            mode,
            roleArn: session.roleArn,
            sourceProfile,
            region: session.region,
            roleSessionName: sessionName,
            durationSeconds: options.duration === undefined ? undefined : session.first.durationSeconds,
            externalId: options.externalId,
            launcher: launcher(),
            endpointUrl: ctx.globals.endpointUrl,
            session: sessionFlags,
          }),
        });
        for (const line of reportLines(report)) ctx.log.warn(line);
        io.stdout.write(
          `Wrote [${configSectionName(options.profileName)}] (${mode}) to ${ctx.files.configFile}: ` +
            `${session.roleArn} via ${sourceProfile} in ${session.region}; ` +
            `checked: a session lasts ${timeLeft(session.first.credentials.expiration).replace(/^in /, '')}.\n`,
        );
      }),
    );
};
