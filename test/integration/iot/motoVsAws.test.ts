/**
 * What moto 5's IoT control plane answers where AWS answers otherwise, and what the tests do about
 * each (the IoT control proxy, test/support/iot/controlProxy.ts, behaves as AWS does; the local
 * credentials provider maps certificates to moto's ids). If moto changes, these tests say so.
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateRoleAliasCommand,
  CreateThingCommand,
  DescribeEndpointCommand,
  DescribeRoleAliasCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListPrincipalPoliciesCommand,
  ListPrincipalThingsCommand,
  AttachThingPrincipalCommand,
} from '@aws-sdk/client-iot';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { startIotControlProxy, type IotControlProxy } from '../../support/iot/controlProxy.js';
import { makeKeyAndCsr } from '../../support/iot/pki.js';

const REGION = 'cn-northwest-1';
const ACCOUNT = '123456789012';
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** The public key of a certificate or of a private key, comparable. */
const spki = (source: X509Certificate | string) =>
  (typeof source === 'string' ? createPublicKey(source) : source.publicKey)
    .export({ type: 'spki', format: 'der' })
    .toString('base64');

describe('moto vs AWS: the IoT control plane (aws-cn)', () => {
  let aws: LocalAws;
  let proxy: IotControlProxy;
  const moto = (config: object = {}) =>
    new IoTClient({ ...aws.adminClientConfig(), maxAttempts: 1, ...config });
  const viaProxy = () =>
    new IoTClient({ ...aws.adminClientConfig(), endpoint: proxy.endpoint, maxAttempts: 1 });
  const endpointOf = async (iot: IoTClient) =>
    (await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' }))).endpointAddress;

  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION, enforce: false });
    proxy = await startIotControlProxy({ target: aws.endpoint, region: REGION, admin: () => aws.admin });
  });
  afterAll(async () => {
    await proxy?.stop();
    await aws?.stop();
  });

  it('describe-endpoint: moto makes a new prefix each call and answers .amazonaws.com in China; AWS one endpoint, .amazonaws.com.cn', async () => {
    const [a, b] = [await endpointOf(moto()), await endpointOf(moto())];
    expect(a).toMatch(/^[a-z0-9]{14}\.credentials\.iot\.cn-northwest-1\.amazonaws\.com$/);
    expect(b).not.toBe(a);
    const p = viaProxy();
    const [c, d] = [await endpointOf(p), await endpointOf(p)];
    expect(c).toBe(d);
    expect(c).toMatch(/^[a-z0-9]+\.credentials\.iot\.cn-northwest-1\.amazonaws\.com\.cn$/);
  });

  it('certificateId: moto hashes the PEM text, AWS the DER; moto-api/config cannot switch moto to the DER', async () => {
    await fetch(`${aws.endpoint}/moto-api/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ iot: { use_valid_cert: true } }),
    });
    const out = await moto().send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const pem = out.certificatePem!;
    expect(out.certificateId).toBe(sha256(pem));
    expect(out.certificateId).not.toBe(sha256(new X509Certificate(pem).raw));
    // What the local credentials provider relies on: moto's PEM is the canonical encoding of the DER.
    expect(new X509Certificate(new X509Certificate(pem).raw).toString()).toBe(pem);
    expect(out.certificateArn).toBe(`arn:aws-cn:iot:${REGION}:${ACCOUNT}:cert/${out.certificateId}`);
  });

  it('CreateCertificateFromCsr: moto certifies a new key of its own, AWS the CSR’s (the proxy signs the CSR)', async () => {
    const { keyPem, csrPem } = makeKeyAndCsr('dev-csr');
    const fromMoto = await moto().send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: csrPem, setAsActive: true }),
    );
    expect(spki(new X509Certificate(fromMoto.certificatePem!))).not.toBe(spki(keyPem));
    const fromProxy = await viaProxy().send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: csrPem, setAsActive: true }),
    );
    expect(spki(new X509Certificate(fromProxy.certificatePem!))).toBe(spki(keyPem));
    expect(fromProxy.certificateId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('CreateRoleAlias: moto takes any duration and any role; AWS refuses a duration outside 900..43200', async () => {
    const role = `arn:aws-cn:iam::${ACCOUNT}:role/never-created`;
    await moto().send(
      new CreateRoleAliasCommand({ roleAlias: 'long', roleArn: role, credentialDurationSeconds: 99999 }),
    );
    const described = await moto().send(new DescribeRoleAliasCommand({ roleAlias: 'long' }));
    expect(described.roleAliasDescription?.credentialDurationSeconds).toBe(99999);
    const refused = await viaProxy()
      .send(
        new CreateRoleAliasCommand({ roleAlias: 'long2', roleArn: role, credentialDurationSeconds: 99999 }),
      )
      .catch((e: Error) => e);
    expect(refused).toMatchObject({ name: 'InvalidRequestException' });
  });

  it('under IAM enforcement moto rejects valid IoT requests whose path or query holds : or / (SignatureDoesNotMatch)', async () => {
    const iot = moto();
    const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await iot.send(new CreateThingCommand({ thingName: 'enf' }));
    await iot.send(
      new CreatePolicyCommand({
        policyName: 'enf',
        policyDocument: '{"Version":"2012-10-17","Statement":[]}',
      }),
    );
    await aws.setEnforcement(true);
    try {
      const status = (p: Promise<unknown>) =>
        p.then(
          () => 200,
          (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
        );
      expect(
        await status(iot.send(new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' }))),
      ).toBe(403);
      expect(await status(iot.send(new ListAttachedPoliciesCommand({ target: cert.certificateArn })))).toBe(
        403,
      );
      // The same questions with the ARN in a header pass.
      expect(
        await status(iot.send(new AttachPolicyCommand({ policyName: 'enf', target: cert.certificateArn }))),
      ).toBe(200);
      expect(
        await status(
          iot.send(new AttachThingPrincipalCommand({ thingName: 'enf', principal: cert.certificateArn })),
        ),
      ).toBe(200);
      expect(await status(iot.send(new ListPrincipalThingsCommand({ principal: cert.certificateArn })))).toBe(
        200,
      );
      expect(
        await status(iot.send(new ListPrincipalPoliciesCommand({ principal: cert.certificateArn }))),
      ).toBe(200);
    } finally {
      await aws.setEnforcement(false);
    }
  });

  it('AssumeRole under enforcement: a statement with only the credentials provider as principal makes moto answer 500', async () => {
    const iam = new IAMClient(aws.adminClientConfig());
    const admin = `arn:aws-cn:iam::${ACCOUNT}:user/admin`;
    const service = { Service: 'credentials.iot.amazonaws.com' };
    const grant = (Principal: object) => ({ Effect: 'Allow', Principal, Action: 'sts:AssumeRole' });
    const cases: Array<[string, object[], number]> = [
      ['separate statements, administrator first', [grant({ AWS: admin }), grant(service)], 500],
      ['one statement naming both', [grant({ AWS: admin, ...service })], 200],
    ];
    await aws.setEnforcement(true);
    try {
      for (const [name, Statement, expected] of cases) {
        const roleName = `mva-iot-${expected}`;
        await iam.send(
          new CreateRoleCommand({
            RoleName: roleName,
            AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }),
          }),
        );
        const sts = new STSClient({ ...aws.adminClientConfig(), maxAttempts: 1 });
        const status = await sts
          .send(
            new AssumeRoleCommand({
              RoleArn: `arn:aws-cn:iam::${ACCOUNT}:role/${roleName}`,
              RoleSessionName: 'x',
            }),
          )
          .then(
            () => 200,
            (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
          );
        sts.destroy();
        expect(status, name).toBe(expected);
      }
    } finally {
      await aws.setEnforcement(false);
      iam.destroy();
    }
  });
});
