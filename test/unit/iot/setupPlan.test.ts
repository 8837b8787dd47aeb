/** planIotSetup: from what AWS IoT, IAM and DIR hold to the steps, and the refusals before any change. */
import { describe, expect, it } from 'vitest';
import type { TempcredsError } from '../../../src/errors.js';
import { deviceRecordText } from '../../../src/iot/deviceDir.js';
import { assumeWithCertificatePolicy } from '../../../src/iot/iotPolicy.js';
import {
  planIotSetup,
  pendingIotSteps,
  type IotSetupInput,
  type IotSetupState,
} from '../../../src/iot/setupPlan.js';

const ACCOUNT = '123456789012';
const ALIAS_ARN = `arn:aws-cn:iot:cn-northwest-1:${ACCOUNT}:rolealias/collector-alias`;
const ROLE_ARN = `arn:aws-cn:iam::${ACCOUNT}:role/collector`;
const CERT_ARN = `arn:aws-cn:iot:cn-northwest-1:${ACCOUNT}:cert/abc`;
const ENDPOINT = 'p.credentials.iot.cn-northwest-1.amazonaws.com.cn';
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'x' }, Action: 'sts:AssumeRole' }],
};
const TRUSTED = {
  Version: '2012-10-17',
  Statement: [
    ...TRUST.Statement,
    { Effect: 'Allow', Principal: { Service: 'credentials.iot.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

const input = (over: Partial<IotSetupInput> = {}): IotSetupInput => ({
  thingName: 'dev1',
  role: 'collector',
  roleAlias: 'collector-alias',
  policyName: 'collector-alias-policy',
  certificate: { kind: 'createKeys' },
  outDir: '/srv/dev1',
  credentialDurationSeconds: 3600,
  caPem: 'CA',
  launcher: ['/usr/bin/node', '/opt/tempcreds.cjs'],
  ...over,
});

const fresh = (over: Partial<IotSetupState> = {}): IotSetupState => ({
  accountId: ACCOUNT,
  partition: 'aws-cn',
  region: 'cn-northwest-1',
  endpoint: ENDPOINT,
  dir: {},
  role: { arn: ROLE_ARN, name: 'collector', trust: TRUST, maxSessionDuration: 3600 },
  ...over,
});

/** Everything in place, as after a first run with --create-keys. */
function done(): IotSetupState {
  const record = {
    endpoint: ENDPOINT,
    region: 'cn-northwest-1',
    roleAlias: 'collector-alias',
    thingName: 'dev1',
    certificateId: 'abc',
    certificateArn: CERT_ARN,
    certificateFile: 'certificate.pem.crt',
    privateKeyFile: 'private.pem.key',
    caFile: 'AmazonRootCA.pem',
  };
  return fresh({
    thing: { arn: 'thing', principals: [CERT_ARN] },
    dir: { certificate: 'CERT', privateKey: 'KEY', ca: 'CA', device: JSON.parse(deviceRecordText(record)) },
    certificate: {
      certificateId: 'abc',
      arn: CERT_ARN,
      status: 'ACTIVE',
      pem: 'CERT',
      things: ['dev1'],
      policies: ['collector-alias-policy'],
    },
    keyMatchesCertificate: true,
    policy: { name: 'collector-alias-policy', arn: 'p', document: assumeWithCertificatePolicy(ALIAS_ARN) },
    roleAlias: {
      roleAlias: 'collector-alias',
      arn: ALIAS_ARN,
      roleArn: ROLE_ARN,
      credentialDurationSeconds: 3600,
    },
    role: { arn: ROLE_ARN, name: 'collector', trust: TRUSTED, maxSessionDuration: 3600 },
  });
}

const states = (state: IotSetupState, i: IotSetupInput = input()) =>
  planIotSetup(state, i).steps.map((s) => `${s.kind}${s.kind === 'file' ? `:${s.file}` : ''} ${s.state}`);
const refusal = (state: IotSetupState, i: IotSetupInput = input()) => {
  try {
    planIotSetup(state, i);
  } catch (err) {
    return err as TempcredsError;
  }
  throw new Error('expected a refusal');
};

describe('planIotSetup', () => {
  it('a fresh account: every step to create, the trust to update, in the order apply needs', () => {
    expect(states(fresh())).toEqual([
      'thing create',
      'certificate create',
      'file:privateKey create',
      'file:certificate create',
      'policy create',
      'policyAttachment create',
      'thingAttachment create',
      'trust update',
      'roleAlias create',
      'file:ca create',
      'file:device create',
    ]);
  });

  it('everything in place: nothing pending, with or without the flag that made it', () => {
    expect(pendingIotSteps(planIotSetup(done(), input()))).toEqual([]);
    expect(pendingIotSteps(planIotSetup(done(), input({ certificate: { kind: 'dir' } })))).toEqual([]);
  });

  it('the policy is on the alias only, in the partition and region of the administrator', () => {
    const step = planIotSetup(fresh(), input()).steps.find((s) => s.kind === 'policy');
    expect(step).toMatchObject({ aliasArn: ALIAS_ARN, document: assumeWithCertificatePolicy(ALIAS_ARN) });
  });

  it('an INACTIVE certificate in DIR is activated; a REVOKED one is refused (it never comes back)', () => {
    const inactive = done();
    inactive.certificate!.status = 'INACTIVE';
    expect(states(inactive)).toContain('certificate update');
    const revoked = done();
    revoked.certificate!.status = 'REVOKED';
    expect(refusal(revoked).message).toMatch(/is REVOKED: AWS IoT will not accept it again/);
  });

  it('a duration longer than the role allows is refused with the command that raises it', () => {
    const err = refusal(fresh(), input({ credentialDurationSeconds: 7200 }));
    expect(err.kind).toBe('usage');
    expect(err.fix).toContain('tempcreds role set-max-duration collector 7200');
  });

  it('another duration on an existing alias is an update; an alias of another role is refused', () => {
    const longer = done();
    longer.role!.maxSessionDuration = 7200;
    expect(states(longer, input({ credentialDurationSeconds: 7200 }))).toContain('roleAlias update');
    const other = done();
    other.roleAlias!.roleArn = `arn:aws-cn:iam::${ACCOUNT}:role/other`;
    expect(refusal(other).message).toMatch(/points at .*role\/other, not at .*role\/collector/);
  });

  it('a policy of another document: kept when it allows the alias (with a note), refused when it does not', () => {
    const broad = done();
    broad.policy!.document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }],
    };
    const plan = planIotSetup(broad, input());
    expect(plan.steps.find((s) => s.kind === 'policy')?.state).toBe('differs');
    expect(plan.notes.join(' ')).toContain('has another document');
    const narrow = done();
    narrow.policy!.document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
    };
    expect(refusal(narrow).message).toContain('does not allow iot:AssumeRoleWithCertificate');
  });

  it('DIR that holds another key’s certificate, or none and no flag, is refused', () => {
    const csr = { kind: 'csr', csrPem: 'CSR', file: '/x.csr' } as const;
    expect(
      refusal({ ...done(), certificateMatchesCsr: false }, input({ certificate: csr })).message,
    ).toContain('certifies another key');
    expect(refusal({ ...done(), keyMatchesCertificate: false }).message).toContain(
      'is missing or not the key of',
    );
    expect(refusal(fresh(), input({ certificate: { kind: 'dir' } })).message).toContain(
      'holds no certificate.pem.crt',
    );
    expect(refusal({ ...done(), certificate: undefined }).message).toContain('is not registered in AWS IoT');
  });

  it('a missing role is refused; a role ARN of another account is bad input', () => {
    expect(refusal(fresh({ role: undefined })).message).toBe(
      `Role collector does not exist in account ${ACCOUNT}.`,
    );
    expect(refusal(fresh(), input({ role: 'arn:aws-cn:iam::999999999999:role/collector' })).kind).toBe(
      'usage',
    );
  });

  it('--csr: no key file is planned, the profile expects the key where --key says (else DIR/private.pem.key)', () => {
    const csr = { kind: 'csr', csrPem: 'CSR', file: '/x.csr' } as const;
    const plan = planIotSetup(fresh(), input({ certificate: csr, profileName: 'dev1' }));
    expect(plan.steps.some((s) => s.kind === 'file' && s.file === 'privateKey')).toBe(false);
    expect(plan.device.privateKeyFile).toBe('/srv/dev1/private.pem.key');
    expect(plan.notes.join(' ')).toContain('the profile expects it at /srv/dev1/private.pem.key');
    expect(
      planIotSetup(fresh(), input({ certificate: csr, privateKeyFile: '/k' })).device.privateKeyFile,
    ).toBe('/k');
  });

  it('the profile: created, in place, or updated when a setting differs or keys in the credentials file would shadow it', () => {
    const withProfile = input({ profileName: 'dev1' });
    const step = planIotSetup(done(), withProfile).steps.find((s) => s.kind === 'profile')!;
    expect(step.state).toBe('create');
    const settings = Object.fromEntries(
      Object.entries((step as { settings: Record<string, string | null> }).settings).filter(
        ([, v]) => v !== null,
      ),
    ) as Record<string, string>;
    const profileState = (profile: Record<string, string>) =>
      planIotSetup({ ...done(), profile }, withProfile).steps.find((s) => s.kind === 'profile')!.state;
    expect(profileState(settings)).toBe('exists');
    expect(profileState({ ...settings, tempcreds_iot_role_alias: 'old' })).toBe('update');
    expect(profileState({ ...settings, aws_access_key_id: 'AKIA' })).toBe('update');
    expect(profileState({ ...settings, role_arn: ROLE_ARN })).toBe('update');
  });

  it('notes what it leaves alone and an endpoint outside the partition', () => {
    const state = { ...done(), thing: { arn: 't', principals: [CERT_ARN, `${CERT_ARN}other`] } };
    expect(planIotSetup(state, input()).notes.join(' ')).toContain(`also has ${CERT_ARN}other attached`);
    const wrong = { ...done(), endpoint: 'p.credentials.iot.cn-northwest-1.amazonaws.com' };
    expect(planIotSetup(wrong, input()).notes.join(' ')).toContain('outside amazonaws.com.cn');
  });
});
