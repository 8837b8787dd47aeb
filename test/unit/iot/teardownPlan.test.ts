/** planIotTeardown: what setup made goes; whatever another device or person relies on stays, with why. */
import { describe, expect, it } from 'vitest';
import { assumeWithCertificatePolicy } from '../../../src/iot/iotPolicy.js';
import {
  planIotTeardown,
  type IotTeardownState,
  type ThingCertificate,
} from '../../../src/iot/teardownPlan.js';

const ACCOUNT = '123456789012';
const ALIAS_ARN = `arn:aws-cn:iot:cn-northwest-1:${ACCOUNT}:rolealias/a`;
const ROLE_ARN = `arn:aws-cn:iam::${ACCOUNT}:role/r`;
const SERVICE = {
  Effect: 'Allow',
  Principal: { Service: 'credentials.iot.amazonaws.com' },
  Action: 'sts:AssumeRole',
};
const ADMIN = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws-cn:iam::123456789012:user/admin' },
  Action: 'sts:AssumeRole',
};
const cert = (id: string, over: Partial<ThingCertificate> = {}): ThingCertificate => ({
  arn: `arn:aws-cn:iot:cn-northwest-1:${ACCOUNT}:cert/${id}`,
  certificateId: id.padEnd(64, '0'),
  status: 'ACTIVE',
  things: ['dev1'],
  policies: ['a-policy'],
  ...over,
});

const state = (over: Partial<IotTeardownState> = {}): IotTeardownState => ({
  accountId: ACCOUNT,
  partition: 'aws-cn',
  region: 'cn-northwest-1',
  thing: { certificates: [cert('c1')] },
  policy: {
    name: 'a-policy',
    document: assumeWithCertificatePolicy(ALIAS_ARN),
    targets: [cert('c1').arn],
    aliasArn: ALIAS_ARN,
  },
  roleAlias: { name: 'a', arn: ALIAS_ARN, roleArn: ROLE_ARN },
  role: { name: 'r', trust: { Version: '2012-10-17', Statement: [ADMIN, SERVICE] } },
  otherAliasesOfRole: [],
  dirFiles: [],
  ...over,
});
const input = { thingName: 'dev1' };
const lines = (s: IotTeardownState, i = input) =>
  planIotTeardown(s, i).steps.map(
    (step) => `${step.kind} ${step.state}${step.reason ? ` (${step.reason})` : ''}`,
  );

describe('planIotTeardown', () => {
  it('one device, everything setup made: all removed, the trust back to what it was', () => {
    const plan = planIotTeardown(state(), input);
    expect(lines(state())).toEqual([
      'policyAttachment remove',
      'thingAttachment remove',
      'certificate remove',
      'thing remove',
      'policy remove',
      'roleAlias remove',
      'trust remove',
    ]);
    expect(plan.steps.find((s) => s.kind === 'trust')).toMatchObject({
      document: { Version: '2012-10-17', Statement: [ADMIN] },
    });
  });

  it('a fleet: the policy, alias and trust stay while another certificate uses the policy', () => {
    const fleet = state({ policy: { ...state().policy!, targets: [cert('c1').arn, cert('c2').arn] } });
    expect(lines(fleet).slice(4)).toEqual([
      'policy kept (1 other certificate uses it)',
      'roleAlias kept (IoT policy a-policy stays, and it is for this alias)',
      'trust kept (role alias a stays)',
    ]);
  });

  it('a certificate someone else attached stays, and so does the thing', () => {
    const mixed = state({ thing: { certificates: [cert('c1'), cert('c9', { policies: ['theirs'] })] } });
    const out = lines(mixed);
    expect(out).toContain(
      'thingAttachment kept (the certificate does not carry IoT policy a-policy: setup did not attach it)',
    );
    expect(out).toContain(`thing kept (certificates setup did not attach remain: ${'c9'.padEnd(12, '0')})`);
  });

  it('our certificate, also attached to another thing or carrying another policy, is detached but kept', () => {
    const shared = state({
      thing: { certificates: [cert('c1', { things: ['dev1', 'dev2'], policies: ['a-policy', 'extra'] })] },
    });
    expect(lines(shared)).toContain('certificate kept (it is also attached to thing dev2, IoT policy extra)');
    expect(lines(shared).slice(0, 2)).toEqual(['policyAttachment remove', 'thingAttachment remove']);
  });

  it("a policy whose document is not setup's is kept, and so the alias", () => {
    const edited = state({
      policy: {
        ...state().policy!,
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] },
      },
    });
    expect(lines(edited)).toContain("policy kept (its document is not setup's: setup did not write it)");
    expect(lines(edited).find((l) => l.startsWith('roleAlias'))).toMatch(/^roleAlias kept/);
  });

  it('the trust stays when another alias uses the role, or when it is the role’s only principal', () => {
    expect(lines(state({ otherAliasesOfRole: ['b'] })).at(-1)).toBe(
      'trust kept (role alias b also uses the role)',
    );
    const only = state({ role: { name: 'r', trust: { Version: '2012-10-17', Statement: [SERVICE] } } });
    expect(lines(only).at(-1)).toMatch(/^trust kept \(it is the role's only principal/);
  });

  it('nothing there: every step absent (a second run has nothing to do)', () => {
    const gone = state({ thing: undefined, policy: undefined, roleAlias: undefined, role: undefined });
    expect(planIotTeardown(gone, input).steps.every((s) => s.state === 'absent')).toBe(true);
  });

  it('local files: removed only when DIR holds the certificate teardown removes; the profile when it has IoT settings', () => {
    const withDir = state({
      dirFiles: ['device.json', 'certificate.pem.crt'],
      dirCertificateId: cert('c1').certificateId,
    });
    const i = { ...input, outDir: '/srv/dev1', profileName: 'dev1' };
    expect(
      lines(
        { ...withDir, profile: { tempcreds_iot_endpoint: 'e', credential_process: 'x', region: 'r' } },
        i,
      ).slice(-2),
    ).toEqual(['files remove', 'profile remove']);
    expect(lines({ ...withDir, dirCertificateId: 'other' }, i).slice(-2)).toEqual([
      'files kept (its certificate is not one teardown removes)',
      'profile absent',
    ]);
  });
});
