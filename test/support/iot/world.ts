/**
 * The IoT test world: moto (IAM enforcement off: moto's own signature check rejects valid IoT
 * requests, see motoVsAws.test.ts), optionally the AWS-fidelity proxy (session lifetimes, expired
 * keys refused), the IoT control proxy in front of both, and the local credentials provider.
 * Devices are provisioned with plain administrator SDK calls, as an operator would by hand.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateRoleAliasCommand,
  CreateThingCommand,
  IoTClient,
} from '@aws-sdk/client-iot';
import { startAwsProxy, type AwsProxy } from '../awsProxy.js';
import { makeTempHome, runCli, type CliResult, type TempHome } from '../cli.js';
import { writeKeysProfile } from '../world.js';
import { startLocalAws, type LocalAws } from '../localAws.js';
import {
  startIotCredentialsProvider,
  CREDENTIALS_PRINCIPAL,
  type IotCredentialsProvider,
} from '../iotCredentialsProvider.js';
import { startIotControlProxy, type IotControlProxy } from './controlProxy.js';

export const ACCOUNT = '123456789012';

export interface Device {
  thingName: string;
  certificateId: string;
  certificateArn: string;
  certPem: string;
  keyPem: string;
  roleName: string;
  roleArn: string;
  roleAlias: string;
  policyName: string;
}

export interface DeviceOptions {
  /** Role trust statements; default: the credentials provider (and the administrator, for moto's AssumeRole). */
  trust?: object[];
  maxSessionDuration?: number;
  credentialDurationSeconds?: number;
  /** IoT policy statements; default: AssumeRoleWithCertificate on the alias. */
  policy?: object[] | null;
  attachToThing?: boolean;
}

export interface IotWorld {
  aws: LocalAws;
  awsProxy: AwsProxy | undefined;
  control: IotControlProxy;
  provider: IotCredentialsProvider;
  region: string;
  partition: string;
  /** The credentials endpoint's host name, as describe-endpoint gives it. */
  endpointHost: string;
  /** Where SDK clients and the CLI send control-plane and data-plane calls. */
  endpoint: string;
  /** Writes the provider's CA to a file and returns the env a device process needs besides HOME. */
  deviceEnv(dir: string): Promise<NodeJS.ProcessEnv>;
  iot(): IoTClient;
  iam(): IAMClient;
  provision(name: string, options?: DeviceOptions): Promise<Device>;
  /**
   * A device, its certificate and key (0600) in HOME, and an IoT profile NAME for it appended to
   * HOME's config file, written by hand as a user would; `settings` override the profile's.
   */
  deviceProfile(
    home: TempHome,
    name: string,
    options?: DeviceOptions,
    settings?: Record<string, string>,
  ): Promise<{ device: Device; key: string }>;
  /** A fresh temp HOME whose profile `admin` holds the administrator's keys (and the region). */
  adminHome(): Promise<TempHome>;
  /** Runs the CLI in HOME (also its cwd) as the administrator, every AWS call to the control proxy. */
  adminCli(home: TempHome): (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliResult>;
  stop(): Promise<void>;
}

/** The device's role: trust (by default the credentials provider and the administrator), permissions. */
async function createDeviceRole(
  i: IAMClient,
  roleName: string,
  o: DeviceOptions,
  adminArn: string,
): Promise<string> {
  // One statement for both principals: moto answers 500 to an AssumeRole whose trust has a
  // statement with only a Service principal (the credentials provider assumes as the administrator).
  const trust = o.trust ?? [
    {
      Effect: 'Allow',
      Principal: { AWS: adminArn, Service: CREDENTIALS_PRINCIPAL },
      Action: 'sts:AssumeRole',
    },
  ];
  const { Role } = await i.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: trust }),
      MaxSessionDuration: o.maxSessionDuration,
    }),
  );
  await i.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'work',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['firehose:*', 's3:*', 'sts:GetCallerIdentity', 'sts:AssumeRole'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  return Role!.Arn!;
}

/** The role (trust, permissions), thing, certificate, alias, policy and attachments of one device, by hand. */
async function provisionDevice(
  w: { iot: IoTClient; iam: IAMClient; region: string; partition: string },
  name: string,
  o: DeviceOptions,
): Promise<Device> {
  const { region, partition } = w;
  const c = w.iot;
  const i = w.iam;
  const adminArn = `arn:${partition}:iam::${ACCOUNT}:user/admin`;
  const roleName = `${name}-role`;
  const roleAlias = `${name}-alias`;
  const policyName = `${name}-policy`;
  const aliasArn = `arn:${partition}:iot:${region}:${ACCOUNT}:rolealias/${roleAlias}`;
  const roleArn = await createDeviceRole(i, roleName, o, adminArn);
  await c.send(new CreateThingCommand({ thingName: name }));
  const cert = await c.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await c.send(
    new CreateRoleAliasCommand({
      roleAlias,
      roleArn,
      credentialDurationSeconds: o.credentialDurationSeconds ?? 3600,
    }),
  );
  if (o.policy !== null) {
    const statements = o.policy ?? [
      { Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: aliasArn },
    ];
    await c.send(
      new CreatePolicyCommand({
        policyName,
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
    await c.send(new AttachPolicyCommand({ policyName, target: cert.certificateArn }));
  }
  if (o.attachToThing !== false)
    await c.send(new AttachThingPrincipalCommand({ thingName: name, principal: cert.certificateArn }));
  c.destroy();
  i.destroy();
  return {
    thingName: name,
    certificateId: cert.certificateId!,
    certificateArn: cert.certificateArn!,
    certPem: cert.certificatePem!,
    keyPem: cert.keyPair!.PrivateKey!,
    roleName,
    roleArn,
    roleAlias,
    policyName,
  };
}

/** Starts the world (its methods close over its servers, so they are one literal, longer than most functions). */
export async function startIotWorld(
  options: { region?: string; awsProxy?: boolean } = {},
): Promise<IotWorld> {
  const region = options.region ?? 'cn-northwest-1';
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const aws = await startLocalAws({ region, enforce: false });
  const awsProxy = options.awsProxy
    ? await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region })
    : undefined;
  const upstream = awsProxy?.endpoint ?? aws.endpoint;
  const control = await startIotControlProxy({ target: upstream, region, admin: () => aws.admin });
  const endpointHost = control.credentialsEndpoint(region);
  const provider = await startIotCredentialsProvider({
    awsEndpoint: upstream,
    region,
    admin: () => aws.admin,
    endpointHost,
  });
  const clientConfig = () => ({ region, endpoint: control.endpoint, credentials: aws.admin });
  const iot = () => new IoTClient(clientConfig());
  const iam = () => new IAMClient(clientConfig());
  const provision = (name: string, o: DeviceOptions = {}) =>
    provisionDevice({ iot: iot(), iam: iam(), region, partition }, name, o);

  return {
    aws,
    awsProxy,
    control,
    provider,
    region,
    partition,
    endpointHost,
    endpoint: control.endpoint,
    async deviceEnv(dir) {
      await mkdir(dir, { recursive: true });
      const caFile = join(dir, 'test-provider-ca.pem');
      await writeFile(caFile, provider.caPem, { mode: 0o644 });
      return {
        TEMPCREDS_IOT_ENDPOINT_URL: provider.url,
        TEMPCREDS_IOT_CA_FILE: caFile,
        AWS_ENDPOINT_URL: control.endpoint,
      };
    },
    iot,
    iam,
    provision,
    async deviceProfile(home, name, options = {}, settings = {}) {
      const device = await provision(name, options);
      const cert = join(home.home, `${name}.crt`);
      const key = join(home.home, `${name}.key`);
      await writeFile(cert, device.certPem);
      await writeFile(key, device.keyPem, { mode: 0o600 });
      const all = {
        tempcreds_iot_endpoint: endpointHost,
        tempcreds_iot_role_alias: device.roleAlias,
        tempcreds_iot_thing_name: device.thingName,
        tempcreds_iot_cert: cert,
        tempcreds_iot_key: key,
        region,
        ...settings,
      };
      const lines = Object.entries(all).map(([k, v]) => `${k} = ${v}`);
      await writeFile(home.configFile, `[profile ${name}]\n${lines.join('\n')}\n`, { flag: 'a' });
      return { device, key };
    },
    async adminHome() {
      const home = await makeTempHome();
      await writeKeysProfile(home, 'admin', aws.admin, region);
      return home;
    },
    adminCli:
      (home) =>
      (args, env = {}) =>
        runCli([...args, '--profile', 'admin'], {
          env: home.env({ AWS_ENDPOINT_URL: control.endpoint, ...env }),
          cwd: home.home,
        }),
    async stop() {
      await provider.stop();
      await control.stop();
      await awsProxy?.stop();
      await aws.stop();
    },
  };
}
