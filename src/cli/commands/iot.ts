import type { Command } from 'commander';
import type { IotSetupEvent } from '../../iot/setup.js';
import { action } from '../action.js';
import { awsContextFor, type CommandContext } from '../context.js';
import { aligner } from '../format.js';
import type { IotSetupFlags } from '../iotFlags.js';
import { launcher } from '../launcher.js';
import { confirm } from '../prompt.js';
import { adminProfileName } from './setup.js';
import type { RegisterCommand } from '../command.js';

const OUTCOME = {
  'dry-run': 'Dry run: nothing was changed.',
  'nothing-to-do': 'Nothing to do.',
  declined: 'Not applied: nothing was changed.',
} as const;

async function runIotSetup(ctx: CommandContext, flags: IotSetupFlags) {
  const { io } = ctx;
  // Loaded here: the other commands' start-up stays free of the IoT code (and node:crypto).
  const { parseIotSetupInput } = await import('../iotFlags.js');
  const input = parseIotSetupInput(flags, io.cwd, adminProfileName(ctx), launcher());
  const aws = await awsContextFor(ctx, {});
  const [{ iotSetup }, { iotStepLabel }] = await Promise.all([
    import('../../iot/setup.js'),
    import('../../iot/setupPlan.js'),
  ]);
  let line = aligner([]);
  const onEvent = (event: IotSetupEvent) => {
    if (event.type === 'plan') {
      const { plan } = event;
      const rows = plan.steps.map((step) => [...iotStepLabel(step), step.state]);
      line = aligner(rows);
      io.stdout.write(
        `IoT setup in account ${plan.accountId} (${plan.partition}, ${plan.region}) for thing ${input.thingName}, role ${plan.roleArn}:\n`,
      );
      io.stdout.write(rows.map(line).join('') + plan.notes.map((note) => `note: ${note}\n`).join(''));
    } else if (event.state === 'created' || event.state === 'updated') {
      io.stdout.write(line([...event.label, event.state]));
    }
  };
  const ask = flags.yes ? undefined : async () => (await confirm(io, 'Apply these changes?')) ?? true;
  const result = await iotSetup(
    input,
    { aws, files: ctx.files },
    { dryRun: flags.dryRun, confirm: ask, onEvent },
  );
  if (result.outcome !== 'applied') {
    io.stdout.write(OUTCOME[result.outcome] + '\n');
    return result.outcome === 'declined' ? 1 : 0;
  }
  const changes = result.applied.filter((a) => a.state === 'created' || a.state === 'updated').length;
  io.stdout.write(`Done: ${changes} change${changes === 1 ? '' : 's'}.\n`);
  const { device } = result.plan;
  io.stdout.write(
    `Device: certificate ${result.certificate?.certificateId}, endpoint ${device.endpoint}, role alias ${device.roleAlias}; ` +
      `files in ${input.outDir}` +
      (input.profileName
        ? `; profile ${input.profileName}: tempcreds whoami --profile ${input.profileName}`
        : '') +
      '.\n',
  );
  return 0;
}

interface IotTeardownFlags {
  thing: string;
  roleAlias?: string;
  policy?: string;
  out?: string;
  profileName?: string;
  dryRun?: boolean;
  yes?: boolean;
}

async function runIotTeardown(ctx: CommandContext, flags: IotTeardownFlags) {
  const { io } = ctx;
  const { parseIotTeardownInput } = await import('../iotFlags.js');
  const input = parseIotTeardownInput(flags, io.cwd);
  const aws = await awsContextFor(ctx, {});
  const [{ applyIotTeardown, planTeardownOfThing }, { iotTeardownStepLabel }] = await Promise.all([
    import('../../iot/teardown.js'),
    import('../../iot/teardownPlan.js'),
  ]);
  const deps = { aws, files: ctx.files };
  const plan = await planTeardownOfThing(input, deps);
  io.stdout.write(
    `IoT teardown in account ${plan.accountId} (${plan.partition}, ${plan.region}) of thing ${input.thingName}:\n`,
  );
  const rows = plan.steps.map((step) => [...iotTeardownStepLabel(step), step.state]);
  const line = aligner(rows);
  io.stdout.write(rows.map(line).join(''));
  for (const step of plan.steps)
    if (step.reason && step.state === 'kept')
      io.stdout.write(`note: ${iotTeardownStepLabel(step).join(' ')} kept: ${step.reason}.\n`);
  const pending = plan.steps.filter((step) => step.state === 'remove').length;
  if (pending === 0) return void io.stdout.write('Nothing to do.\n');
  if (flags.dryRun) return void io.stdout.write('Dry run: nothing was changed.\n');
  if (!flags.yes) {
    const yes = await confirm(io, 'Remove these?');
    if (yes === undefined)
      return void io.stdout.write('Nothing was changed: run again with --yes to apply.\n');
    if (!yes) {
      io.stdout.write('Not applied: nothing was changed.\n');
      return 1;
    }
  }
  await applyIotTeardown(plan, deps, (step) =>
    io.stdout.write(line([...iotTeardownStepLabel(step), 'removed'])),
  );
  io.stdout.write(`Done: ${pending} removed.\n`);
}

interface IotConfigureFlags {
  dir: string;
  profileName: string;
  key?: string;
}

/** Device side: a profile from the DIR iot setup filled, checked with one real credentials request. */
async function runIotConfigure(ctx: CommandContext, flags: IotConfigureFlags) {
  const [{ validateProfileName }, { resolve }] = await Promise.all([
    import('../../config/profileName.js'),
    import('node:path'),
  ]);
  const profile = validateProfileName(flags.profileName);
  const [
    { deviceProfileFromDir },
    { fromIotCertificate },
    { iotProfileSettings, SHADOWING_KEYS },
    { writeProfile },
  ] = await Promise.all([
    import('../../iot/deviceProfileFromDir.js'),
    import('../../iot/fromIotCertificate.js'),
    import('../../iot/profile.js'),
    import('../../config/write.js'),
  ]);
  const iot = await deviceProfileFromDir(
    resolve(ctx.io.cwd, flags.dir),
    flags.key === undefined ? undefined : resolve(ctx.io.cwd, flags.key),
  );
  const session = await fromIotCertificate({ profile, iot, env: ctx.io.env, debug: ctx.log.debug })();
  await writeProfile(ctx.files, profile, {
    config: iotProfileSettings(profile, iot, launcher()),
    credentials: SHADOWING_KEYS,
  });
  ctx.io.stdout.write(
    `Wrote [profile ${profile}] (IoT, thing ${iot.thingName}, role alias ${iot.roleAlias}) to ${ctx.files.configFile}; ` +
      `checked: AWS IoT issued a session until ${session.expiration.toISOString()}.\n`,
  );
}

export const registerIot: RegisterCommand = (program: Command, io, setExitCode) => {
  const iot = program
    .command('iot')
    .description(
      'AWS IoT certificate credentials: a device gets role sessions with its certificate, no access key',
    );
  iot
    .command('setup')
    .description(
      'with administrator credentials: thing, certificate, IoT policy, role alias, role trust, and the device files in DIR',
    )
    .requiredOption('--thing <name>', 'the IoT thing (the device)')
    .requiredOption('--role <role>', 'the role the device gets sessions of (name or ARN)')
    .option('--role-alias <alias>', 'the role alias (default: <role>-alias)')
    .option(
      '--policy <name>',
      'the IoT policy allowing iot:AssumeRoleWithCertificate on the alias (default: <alias>-policy)',
    )
    .option('--csr <file>', "a certificate from the device's CSR: its private key never leaves the device")
    .option('--key <file>', "with --csr: where the device keeps the CSR's key (default DIR/private.pem.key)")
    .option(
      '--create-keys',
      'AWS IoT makes the key pair (CreateKeysAndCertificate); the key is written to DIR, 0600',
    )
    .requiredOption('--out <dir>', 'where the certificate, key, CA and device.json go')
    .option(
      '--credential-duration <duration>',
      'credentialDurationSeconds of the alias: 900..43200 or 15m..12h (default 1h)',
    )
    .option('--profile-name <name>', 'also write this profile (credential_process), usable by every AWS tool')
    .option(
      '--ca-file <file>',
      'the CA bundle to write to DIR instead of the embedded Amazon Root CA 1 and 3',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .option('--yes', 'apply without asking on a terminal')
    .action(action(io, setExitCode, runIotSetup));
  iot
    .command('teardown')
    .description(
      'undo what iot setup made for a thing, and nothing else; prints the plan, asks on a terminal',
    )
    .requiredOption('--thing <name>', 'the thing iot setup made')
    .option(
      '--role-alias <alias>',
      "the role alias (default: the one of setup's IoT policy on the thing's certificate)",
    )
    .option('--policy <name>', "the IoT policy (default: setup's, found on the thing's certificate)")
    .option('--out <dir>', 'also remove the files iot setup wrote there')
    .option('--profile-name <name>', 'also remove the IoT settings iot setup wrote to this profile')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--yes', 'remove without asking')
    .action(action(io, setExitCode, runIotTeardown));
  iot
    .command('configure')
    .description('on the device: write an IoT profile from the directory iot setup filled (copied here)')
    .requiredOption(
      '--dir <dir>',
      'the --out directory of iot setup: certificate, CA, device.json (and the key)',
    )
    .requiredOption('--profile-name <name>', 'the profile to write')
    .option('--key <file>', 'the private key, when it is not in DIR (the device made the CSR)')
    .action(action(io, setExitCode, runIotConfigure));
};
