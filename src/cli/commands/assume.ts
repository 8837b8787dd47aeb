import type { Command } from 'commander';
import { validateProfileName } from '../../config/profileName.js';
import { EXPORT_FORMATS, formatCredentials, parseExportFormat } from '../../credentials/exportFormats.js';
import { writeSessionProfile } from '../../credentials/writeSessionProfile.js';
import { reportLines } from '../../config/write.js';
import { action } from '../action.js';
import { addAssumeOptions, parseAssumeRequest, roleSessionFor, type AssumeFlags } from '../context.js';
import { timeLeft } from '../format.js';
import { rfc3339 } from '../../credentials/timestamps.js';
import type { RegisterCommand } from '../command.js';

interface AssumeOptions extends AssumeFlags {
  format?: string;
  writeProfile?: string;
}

export const registerAssume: RegisterCommand = (program: Command, io, setExitCode) => {
  addAssumeOptions(
    program.command('assume <role>').description('assume ROLE and print or save its temporary credentials'),
  )
    .option('--format <format>', `output: ${EXPORT_FORMATS.join(', ')} (default json)`)
    .option(
      '--write-profile <name>',
      'save the keys into this profile (region into [profile NAME] of the config)',
    )
    .action(
      action(io, setExitCode, async (ctx, role: string, options: AssumeOptions) => {
        const format = parseExportFormat(options.format ?? 'json');
        const request = parseAssumeRequest(ctx, role, options);
        if (options.writeProfile !== undefined) validateProfileName(options.writeProfile, '--write-profile');
        const session = await roleSessionFor(ctx, request, options.sourceProfile);
        const { first, region } = session;
        if (options.writeProfile) {
          const report = await writeSessionProfile(ctx.files, options.writeProfile, first, region);
          for (const line of reportLines(report)) ctx.log.warn(line);
          const expires = first.credentials.expiration;
          // With --format, stdout is data (eval "$(tempcreds assume ...)"): the report goes to stderr.
          const status = options.format === undefined ? io.stdout : io.stderr;
          status.write(
            `Wrote profile ${options.writeProfile} (region ${region}): ${first.assumedRoleUser.arn} until ${rfc3339(expires)} (${timeLeft(expires)}).\n`,
          );
          if (options.format === undefined) return;
        }
        io.stdout.write(formatCredentials(format, { ...first, region }));
      }),
    );
};
