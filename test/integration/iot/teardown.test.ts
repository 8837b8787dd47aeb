/**
 * `tempcreds iot teardown` after `iot setup`, against moto (aws-cn) with the IoT control proxy:
 * what setup made goes, and nothing else — not another device of the same fleet, not a
 * certificate someone else attached, not the role's other trust.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import {
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  DescribeCertificateCommand,
  ListPoliciesCommand,
  ListRoleAliasesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TempHome } from '../../support/cli.js';
import { ACCOUNT, startIotWorld, type IotWorld } from '../../support/iot/world.js';

const REGION = 'cn-northwest-1';
const ROLE = 'fleet-role';
const ADMIN = {
  Effect: 'Allow',
  Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/admin` },
  Action: 'sts:AssumeRole',
};
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('tempcreds iot teardown (aws-cn)', () => {
  let world: IotWorld;
  let home: TempHome;

  let cli: ReturnType<IotWorld['adminCli']>;
  const setup = (thing: string, ...extra: string[]) =>
    cli([
      'iot',
      'setup',
      '--thing',
      thing,
      '--role',
      ROLE,
      '--create-keys',
      '--out',
      thing,
      '--profile-name',
      thing,
      ...extra,
    ]);
  const teardown = (thing: string, ...extra: string[]) =>
    cli(['iot', 'teardown', '--thing', thing, '--out', thing, '--profile-name', thing, ...extra]);
  const names = async () => {
    const iot = world.iot();
    return {
      things: ((await iot.send(new ListThingsCommand({}))).things ?? []).map((t) => t.thingName).sort(),
      policies: ((await iot.send(new ListPoliciesCommand({}))).policies ?? [])
        .map((p) => p.policyName)
        .sort(),
      aliases: ((await iot.send(new ListRoleAliasesCommand({}))).roleAliases ?? []).sort(),
    };
  };
  const trust = async () =>
    JSON.parse(
      decodeURIComponent(
        (await world.iam().send(new GetRoleCommand({ RoleName: ROLE }))).Role!.AssumeRolePolicyDocument!,
      ),
    );
  const certificateId = async (thing: string) =>
    JSON.parse(await readFile(join(home.home, thing, 'device.json'), 'utf8')).certificateId as string;
  const certificateExists = (id: string) =>
    world
      .iot()
      .send(new DescribeCertificateCommand({ certificateId: id }))
      .then(
        () => true,
        () => false,
      );

  beforeAll(async () => {
    world = await startIotWorld({ region: REGION });
  });
  beforeEach(async () => {
    await world.aws.reset();
    await home?.cleanup();
    home = await world.adminHome();
    cli = world.adminCli(home);
    await world.iam().send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: doc(ADMIN) }));
  });
  afterAll(async () => {
    await home?.cleanup();
    await world?.stop();
  });

  it('removes everything setup made (IoT, IAM trust, DIR, profile), keeps the rest; a second run has nothing to do', async () => {
    expect((await setup('dev1')).code).toBe(0);
    const id = await certificateId('dev1');
    const dry = await teardown('dev1', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^ {2}thing +dev1 +remove$/m);
    expect(dry.stdout).toMatch(/^Dry run: nothing was changed\.$/m);
    expect((await names()).things).toEqual(['dev1']);

    const r = await teardown('dev1', '--yes');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const line of [
      /^ {2}attachment +IoT policy fleet-role-alias-policy -> certificate \w{12} +removed$/m,
      /^ {2}attachment +certificate \w{12} -> thing dev1 +removed$/m,
      new RegExp(`^  certificate +${id} \\(ACTIVE\\) +removed$`, 'm'),
      /^ {2}thing +dev1 +removed$/m,
      /^ {2}IoT policy +fleet-role-alias-policy +removed$/m,
      /^ {2}role alias +fleet-role-alias +removed$/m,
      /^ {2}trust +role fleet-role trusts credentials\.iot\.amazonaws\.com +removed$/m,
      /^ {2}profile +dev1 +removed$/m,
    ])
      expect(r.stdout).toMatch(line);
    expect(await names()).toEqual({ things: [], policies: [], aliases: [] });
    expect(await certificateExists(id)).toBe(false);
    expect(await trust()).toEqual({ Version: '2012-10-17', Statement: [ADMIN] });
    expect(await readdir(home.home)).not.toContain('dev1');
    expect(await readFile(home.configFile, 'utf8')).not.toMatch(/tempcreds_iot_|credential_process/);

    const again = await teardown('dev1', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do\.$/m);
  });

  it('a fleet shares the alias and policy: the first teardown keeps them for the other device, the last removes them', async () => {
    expect((await setup('dev1')).code).toBe(0);
    expect((await setup('dev2')).code).toBe(0);
    const r1 = await teardown('dev1', '--yes');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain(
      'note: IoT policy fleet-role-alias-policy kept: 1 other certificate uses it.',
    );
    expect(await names()).toEqual({
      things: ['dev2'],
      policies: ['fleet-role-alias-policy'],
      aliases: ['fleet-role-alias'],
    });
    expect(JSON.stringify(await trust())).toContain('credentials.iot.amazonaws.com');
    expect(await certificateExists(await certificateId('dev2'))).toBe(true);
    const r2 = await teardown('dev2', '--yes');
    expect(r2.code).toBe(0);
    expect(await names()).toEqual({ things: [], policies: [], aliases: [] });
    expect(await trust()).toEqual({ Version: '2012-10-17', Statement: [ADMIN] });
  });

  it('keeps a certificate it did not attach, and so the thing; without --yes and a terminal it changes nothing', async () => {
    expect((await setup('dev3')).code).toBe(0);
    const iot = world.iot();
    const foreign = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'dev3', principal: foreign.certificateArn }));
    const plan = await teardown('dev3');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Nothing was changed: run again with --yes to apply\.$/m);
    expect((await names()).things).toEqual(['dev3']);
    const r = await teardown('dev3', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/note: thing dev3 kept: certificates setup did not attach remain: \w{12}\./);
    expect((await names()).things).toEqual(['dev3']);
    expect(await certificateExists(foreign.certificateId!)).toBe(true);
    expect((await names()).policies).toEqual([]);
  });
});
