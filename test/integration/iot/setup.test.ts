/**
 * `tempcreds iot setup` through the CLI against moto in the China partition, with the IoT control
 * proxy behaving as AWS does. Results are checked with independent IoT and IAM reads, and the
 * profile it writes with the AWS CLI v2 and botocore as readers.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import {
  DescribeCertificateCommand,
  DescribeRoleAliasCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amazonRootCaBundle } from '../../../src/iot/amazonRootCa.js';
import type { TempHome } from '../../support/cli.js';
import { makeKeyAndCsr } from '../../support/iot/pki.js';
import { ACCOUNT, startIotWorld, type IotWorld } from '../../support/iot/world.js';

const run = promisify(execFile);
const REGION = 'cn-northwest-1';
const ROLE = 'collector-role';
const ROLE_ARN = `arn:aws-cn:iam::${ACCOUNT}:role/${ROLE}`;
const ALIAS_ARN = `arn:aws-cn:iot:${REGION}:${ACCOUNT}:rolealias/${ROLE}-alias`;
const OTHER = {
  Effect: 'Allow',
  Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:user/admin` },
  Action: 'sts:AssumeRole',
};
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const planLine = (what: string, which: string, state: string) =>
  new RegExp(`^  ${escape(what)} +${escape(which)} +${state}$`, 'm');

describe('tempcreds iot setup (aws-cn)', () => {
  let world: IotWorld;
  let home: TempHome;
  let out: string;
  let n = 0;

  let cli: ReturnType<IotWorld['adminCli']>;
  const iot = () => world.iot();
  const trustOf = async (name = ROLE) =>
    JSON.parse(
      decodeURIComponent(
        (await world.iam().send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!,
      ),
    );
  const thingNames = async () =>
    ((await iot().send(new ListThingsCommand({}))).things ?? []).map((t) => t.thingName).sort();

  beforeAll(async () => {
    world = await startIotWorld({ region: REGION });
  });
  beforeEach(async () => {
    await world.aws.reset();
    await home?.cleanup();
    home = await world.adminHome();
    cli = world.adminCli(home);
    await world.iam().send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: doc(OTHER),
        MaxSessionDuration: 3600,
      }),
    );
    n += 1;
    out = join(home.home, `device${n}`);
  });
  afterAll(async () => {
    await home?.cleanup();
    await world?.stop();
  });

  it('makes everything with --create-keys: thing, active certificate, policy on the alias only, attachments, trust, alias, files, profile', async () => {
    const r = await cli([
      'iot',
      'setup',
      '--thing',
      'dev1',
      '--role',
      ROLE,
      '--create-keys',
      '--out',
      out,
      '--profile-name',
      'dev1',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^IoT setup in account 123456789012 \(aws-cn, cn-northwest-1\) for thing dev1, role arn:aws-cn:iam::123456789012:role\/collector-role:$/m,
    );
    for (const [what, which, state] of [
      ['thing', 'dev1', 'create'],
      ['certificate', 'with a new key pair', 'create'],
      ['IoT policy', `${ROLE}-alias-policy: iot:AssumeRoleWithCertificate on ${ALIAS_ARN}`, 'create'],
      ['attachment', `IoT policy ${ROLE}-alias-policy -> certificate`, 'create'],
      ['attachment', 'certificate -> thing dev1', 'create'],
      ['trust', 'role collector-role trusts credentials.iot.amazonaws.com', 'update'],
      ['role alias', `${ROLE}-alias -> ${ROLE_ARN}, 3600 s`, 'create'],
      ['file', join(out, 'private.pem.key'), 'create'],
      ['file', join(out, 'device.json'), 'create'],
      ['profile', 'dev1', 'create'],
    ]) {
      expect(r.stdout).toMatch(planLine(what!, which!, state!));
    }
    expect(r.stdout).toMatch(/^Done: \d+ changes\.$/m);

    const device = JSON.parse(await readFile(join(out, 'device.json'), 'utf8'));
    expect(device).toMatchObject({
      endpoint: world.endpointHost,
      region: REGION,
      roleAlias: `${ROLE}-alias`,
      thingName: 'dev1',
      certificateFile: 'certificate.pem.crt',
      privateKeyFile: 'private.pem.key',
      caFile: 'AmazonRootCA.pem',
    });
    expect(world.endpointHost).toMatch(/\.credentials\.iot\.cn-northwest-1\.amazonaws\.com\.cn$/);
    const cert = (await iot().send(new DescribeCertificateCommand({ certificateId: device.certificateId })))
      .certificateDescription!;
    expect(cert.status).toBe('ACTIVE');
    expect(cert.certificatePem).toBe(await readFile(join(out, 'certificate.pem.crt'), 'utf8'));
    const key = await readFile(join(out, 'private.pem.key'), 'utf8');
    expect(new X509Certificate(cert.certificatePem!).checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect((await stat(join(out, 'private.pem.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(out, 'AmazonRootCA.pem'), 'utf8')).toBe(amazonRootCaBundle());

    expect((await iot().send(new ListThingPrincipalsCommand({ thingName: 'dev1' }))).principals).toEqual([
      cert.certificateArn,
    ]);
    const attached = await iot().send(new ListAttachedPoliciesCommand({ target: cert.certificateArn }));
    expect(attached.policies?.map((p) => p.policyName)).toEqual([`${ROLE}-alias-policy`]);
    const policy = await iot().send(new GetPolicyCommand({ policyName: `${ROLE}-alias-policy` }));
    expect(JSON.parse(policy.policyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: ALIAS_ARN }],
    });
    const alias = (await iot().send(new DescribeRoleAliasCommand({ roleAlias: `${ROLE}-alias` })))
      .roleAliasDescription!;
    expect(alias).toMatchObject({ roleArn: ROLE_ARN, credentialDurationSeconds: 3600 });
    expect(await trustOf()).toEqual({
      Version: '2012-10-17',
      Statement: [
        OTHER,
        {
          Effect: 'Allow',
          Principal: { Service: 'credentials.iot.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });

    // The profile: every AWS tool reads it, and tempcreds' own settings stay out of their way.
    const config = await readFile(home.configFile, 'utf8');
    expect(config).toContain(`tempcreds_iot_cert = ${join(out, 'certificate.pem.crt')}`);
    expect(config).toMatch(
      /credential_process = \S+node\S* \S+tempcreds\.cjs credential-process --profile dev1/,
    );
    // Through the local credentials provider: the profile's endpoint is AWS's, which tests never reach.
    const viaProvider = home.env(await world.deviceEnv(join(home.home, 'provider')));
    const list = await run('/usr/bin/aws', ['configure', 'list', '--profile', 'dev1'], { env: viaProvider });
    expect(list.stdout).toMatch(/region\s+cn-northwest-1\s+config-file/);
    expect(list.stdout).toMatch(/access_key\s+\*+\w{4}\s+custom-process/);
    const boto = await run(
      'python3',
      [
        '-c',
        'import boto3; s = boto3.Session(profile_name="dev1"); c = s.get_credentials(); print(s.region_name, c.method, bool(c.token))',
      ],
      { env: viaProvider },
    );
    expect(boto.stdout.trim()).toBe('cn-northwest-1 custom-process True');
  });

  it('a second run finds everything in place, with or without --create-keys, and touches nothing', async () => {
    const args = ['iot', 'setup', '--thing', 'dev1', '--role', ROLE, '--out', out, '--profile-name', 'dev1'];
    expect((await cli([...args, '--create-keys'])).code).toBe(0);
    const files = await Promise.all(
      ['device.json', 'certificate.pem.crt', 'private.pem.key'].map((f) => readFile(join(out, f), 'utf8')),
    );
    const config = await readFile(home.configFile, 'utf8');
    for (const again of [[...args, '--create-keys'], args]) {
      const r = await cli(again);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Nothing to do\.$/m);
      expect(r.stdout).not.toMatch(/ (create|update)$/m);
    }
    expect(
      await Promise.all(
        ['device.json', 'certificate.pem.crt', 'private.pem.key'].map((f) => readFile(join(out, f), 'utf8')),
      ),
    ).toEqual(files);
    expect(await readFile(home.configFile, 'utf8')).toBe(config);
    expect(await thingNames()).toEqual(['dev1']);
  });

  it('--csr: AWS IoT certifies the device’s own key, no private key is written, and a second run has nothing to do', async () => {
    const { keyPem, csrPem } = makeKeyAndCsr('dev2');
    await writeFile(join(home.home, 'dev2.csr'), csrPem);
    await writeFile(join(home.home, 'dev2.key'), keyPem, { mode: 0o600 });
    const args = [
      'iot',
      'setup',
      '--thing',
      'dev2',
      '--role',
      ROLE,
      '--csr',
      'dev2.csr',
      '--key',
      'dev2.key',
      '--out',
      out,
      '--profile-name',
      'dev2',
    ];
    const r = await cli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(planLine('certificate', 'from the CSR (the key stays on the device)', 'create'));
    expect(await readdir(out)).toEqual(['AmazonRootCA.pem', 'certificate.pem.crt', 'device.json']);
    const cert = new X509Certificate(await readFile(join(out, 'certificate.pem.crt'), 'utf8'));
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(await readFile(home.configFile, 'utf8')).toContain(
      `tempcreds_iot_key = ${join(home.home, 'dev2.key')}`,
    );
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do\.$/m);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const r = await cli([
      'iot',
      'setup',
      '--thing',
      'dev3',
      '--role',
      ROLE,
      '--create-keys',
      '--out',
      out,
      '--dry-run',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(planLine('thing', 'dev3', 'create'));
    expect(r.stdout).toMatch(/^Dry run: nothing was changed\.$/m);
    expect(await thingNames()).toEqual([]);
    expect(await trustOf()).toEqual({ Version: '2012-10-17', Statement: [OTHER] });
    await expect(stat(out)).rejects.toThrow();
  });

  const setupDev4 = (duration: string) =>
    cli([
      'iot',
      'setup',
      '--thing',
      'dev4',
      '--role',
      ROLE,
      '--create-keys',
      '--out',
      out,
      '--credential-duration',
      duration,
    ]);

  it('refuses what AWS would refuse, before any change: a duration longer than the role allows, or outside 900..43200', async () => {
    const long = await setupDev4('2h');
    expect(long.code).toBe(2);
    expect(long.stderr).toContain(
      'tempcreds: --credential-duration 7200 is longer than role collector-role allows (MaxSessionDuration 3600): AWS would refuse every credentials request.',
    );
    expect(long.stderr).toContain(
      "fix: Raise the role's limit: tempcreds role set-max-duration collector-role 7200 (administrator), or pass --credential-duration 3600.",
    );
    const range = await setupDev4('13h');
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('AWS IoT allows 900..43200 seconds');
    expect(await thingNames()).toEqual([]);
    // After the fix it offers, the same command goes through.
    expect((await cli(['role', 'set-max-duration', ROLE, '7200'])).code).toBe(0);
    const ok = await setupDev4('2h');
    expect(ok.code).toBe(0);
    const alias = (await iot().send(new DescribeRoleAliasCommand({ roleAlias: `${ROLE}-alias` })))
      .roleAliasDescription!;
    expect(alias.credentialDurationSeconds).toBe(7200);
  });

  it('bad input is one line with the fix, exit 2, nothing changed', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--create-keys', '--csr', 'x.csr'], /--csr and --create-keys are two ways/],
      [['--key', 'k.pem', '--create-keys'], /--key goes with --csr/],
      [['--csr', 'missing.csr'], /Cannot read --csr .*missing\.csr \(ENOENT\)/],
      [['--create-keys', '--role-alias', 'a/b'], /--role-alias "a\/b" is not a role alias name/],
      [['--create-keys', '--profile-name', 'admin'], /--profile-name admin is the administrator's profile/],
      [[], /holds no certificate\.pem\.crt: there is no certificate to set up/],
    ];
    for (const [extra, message] of cases) {
      const r = await cli(['iot', 'setup', '--thing', 'dev5', '--role', ROLE, '--out', out, ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('\n  fix: ');
    }
    await expect(iot().send(new DescribeThingCommand({ thingName: 'dev5' }))).rejects.toThrow();
  });
});
