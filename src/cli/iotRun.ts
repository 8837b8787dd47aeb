/** The bodies of `iot setup`, `iot teardown` and `iot configure`: flags into input, one library call, the printing. */
import type { IotSetupEvent } from '../iot/setup.js';
import { awsContextFor, type CommandContext } from './context.js';
import { aligner } from './format.js';
import type { IotSetupFlags } from './iotFlags.js';
import { launcher } from './launcher.js';
import { confirm } from './prompt.js';
import { adminProfileName } from './runbookNames.js';

const OUTCOME = {
  'dry-run': 'Dry run: nothing was changed.',
  'nothing-to-do': 'Nothing to do.',
  declined: 'Not applied: nothing was changed.',
} as const;

/** `iot setup`: the plan as aligned lines with states, then each change as it is made. */
export async function runIotSetup(ctx: CommandContext, flags: IotSetupFlags) {
  const { io } = ctx;
  // Loaded here: the other commands' start-up stays free of the IoT code (and node:crypto).
  const { parseIotSetupInput } = await import('./iotFlags.js');
  const input = parseIotSetupInput(flags, io.cwd, adminProfileName(ctx), launcher());
  const aws = await awsContextFor(ctx);
  const [{ iotSetup }, { iotStepLabel }] = await Promise.all([
    import('../iot/setup.js'),
    import('../iot/setupPlan.js'),
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

export interface IotTeardownFlags {
  thing: string;
  roleAlias?: string;
  policy?: string;
  out?: string;
  profileName?: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** `iot teardown`: the plan, why anything is kept, then each removal. */
export async function runIotTeardown(ctx: CommandContext, flags: IotTeardownFlags) {
  const { io } = ctx;
  const { parseIotTeardownInput } = await import('./iotFlags.js');
  const input = parseIotTeardownInput(flags, io.cwd);
  const aws = await awsContextFor(ctx);
  const [{ applyIotTeardown, planTeardownOfThing }, { iotTeardownStepLabel }] = await Promise.all([
    import('../iot/teardown.js'),
    import('../iot/teardownPlan.js'),
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

export interface IotConfigureFlags {
  dir: string;
  profileName: string;
  key?: string;
}

/** Device side: a profile from the DIR iot setup filled, checked with one real credentials request. */
export async function runIotConfigure(ctx: CommandContext, flags: IotConfigureFlags) {
  const [{ validateProfileName }, { resolve }] = await Promise.all([
    import('../config/profileName.js'),
    import('node:path'),
  ]);
  const profile = validateProfileName(flags.profileName);
  const [
    { deviceProfileFromDir },
    { fromIotCertificate },
    { iotProfileSettings, SHADOWING_KEYS },
    { writeProfile },
  ] = await Promise.all([
    import('../iot/deviceProfileFromDir.js'),
    import('../iot/fromIotCertificate.js'),
    import('../iot/profile.js'),
    import('../config/write.js'),
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
