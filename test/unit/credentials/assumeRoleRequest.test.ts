import { describe, expect, it } from 'vitest';
import {
  parseAssumeRoleRequest,
  parseExternalId,
  parseSessionOptions,
} from '../../../src/credentials/assumeRoleRequest.js';
import { startRoleSession } from '../../../src/credentials/roleSession.js';
import { TempcredsError } from '../../../src/errors.js';
import { usage } from './usageError.js';

const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';

describe('parseAssumeRoleRequest', () => {
  it('turns text into a typed request, every field checked', () => {
    const request = parseAssumeRoleRequest({
      role: 'arn:aws-cn:iam::111122223333:role/path/x',
      roleSessionName: 'ci-deploy',
      durationSeconds: '1h',
      externalId: 'ext-123',
      serialNumber: SERIAL,
      tokenCode: ' 123456 ',
    });
    expect(request).toEqual({
      role: { roleArn: 'arn:aws-cn:iam::111122223333:role/path/x', roleName: 'x' },
      roleSessionName: 'ci-deploy',
      durationSeconds: 3600,
      externalId: 'ext-123',
      serialNumber: SERIAL,
      tokenCode: '123456',
    });
    expect(parseAssumeRoleRequest({ role: 'x', durationSeconds: 'max' }).durationSeconds).toBe('max');
    expect(parseAssumeRoleRequest({ role: 'x', durationSeconds: 900 }).durationSeconds).toBe(900);
    expect(parseAssumeRoleRequest({ role: 'target-role-name' }).role).toEqual({
      roleName: 'target-role-name',
    });
  });

  it.each([
    [{ role: 'arn:aws:iam::123:role/x' }, /not a role ARN/],
    [{ role: 'a b' }, /not a valid role name/],
    [{ role: 'x', roleSessionName: 'a b' }, /^RoleSessionName "a b" is invalid/],
    [{ role: 'x', durationSeconds: '13h' }, /^DurationSeconds 13h is 46800 seconds; AWS allows 900\.\.43200/],
    [{ role: 'x', durationSeconds: 60 }, /^DurationSeconds 60 is 60 seconds/],
    [{ role: 'x', externalId: 'a' }, /^ExternalId is invalid/],
    [{ role: 'x', serialNumber: 'short' }, /^SerialNumber "short" is not an MFA device serial/],
    [{ role: 'x', tokenCode: '123456' }, /^TokenCode needs SerialNumber\.$/],
    [{ role: 'x', serialNumber: SERIAL }, /^SerialNumber needs TokenCode when there is no terminal/],
    [{ role: 'x', serialNumber: SERIAL, tokenCode: '12345' }, /^TokenCode must be the 6 digits/],
  ])("refuses %j in AWS's parameter names, never a CLI flag", (input, message) => {
    const err = usage(() => parseAssumeRoleRequest(input));
    expect(err.message).toMatch(message);
    expect(`${err.message} ${err.fix}`).not.toMatch(/--/);
  });

  it('names each input as the caller says: CLI flags, or profile settings', () => {
    const names = {
      roleSessionName: '--session-name',
      tokenCode: '--token-code',
      serialNumber: '--mfa-serial',
    };
    expect(
      usage(() => parseAssumeRoleRequest({ role: 'x', roleSessionName: '!' }, { names })).message,
    ).toMatch(/^--session-name "!" is invalid/);
    const noSerial = usage(() => parseAssumeRoleRequest({ role: 'x', tokenCode: '123456' }, { names }));
    expect([noSerial.message, noSerial.fix]).toEqual([
      '--token-code needs --mfa-serial.',
      'Add --mfa-serial with the ARN of your MFA device.',
    ]);
    expect(
      usage(() =>
        parseAssumeRoleRequest(
          { role: 'x', durationSeconds: 'soon' },
          { names: { durationSeconds: 'duration_seconds of profile p' } },
        ),
      ).message,
    ).toBe('duration_seconds of profile p "soon" is not a duration.');
  });

  it('a serial without a code is fine where a code can be asked for', () => {
    expect(
      parseAssumeRoleRequest({ role: 'x', serialNumber: SERIAL }, { canPrompt: true }).tokenCode,
    ).toBeUndefined();
  });

  it('parseSessionOptions checks the same inputs without a role', () => {
    expect(parseSessionOptions({ durationSeconds: '15m' })).toMatchObject({ durationSeconds: 900 });
    usage(() => parseSessionOptions({ externalId: 'x' }));
  });

  it('parseExternalId: 2..1224 of [\\w+=,.@:/-]', () => {
    for (const ok of ['ab', 'a:b/c=d,e.f@g+h-i_j', 'x'.repeat(1224)]) expect(parseExternalId(ok)).toBe(ok);
    for (const bad of ['a', 'x'.repeat(1225), 'a b', 'ä1'])
      usage(() => parseExternalId(bad, '--external-id'));
  });
});

describe('startRoleSession takes its STS client from the caller', () => {
  const source = (region: string) => ({
    profile: 'sts_user',
    region,
    credentials: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'S' }),
    roleSession: false,
  });

  it.each([
    ['cn-northwest-1', 'arn:aws:iam::111122223333:role/x', 'aws', 'aws-cn'],
    ['eu-west-1', 'arn:aws-cn:iam::111122223333:role/x', 'aws-cn', 'aws'],
    ['us-gov-west-1', 'arn:aws:iam::111122223333:role/x', 'aws', 'aws-us-gov'],
  ])(
    'refuses a role of another partition than %s before any call',
    async (region, roleArn, rolePartition, sourcePartition) => {
      const calls: string[] = [];
      const err = await startRoleSession({
        source: source(region),
        request: parseAssumeRoleRequest({ role: roleArn }),
        createSts: (ctx) => {
          calls.push(`client ${ctx.region}`);
          return { send: async () => calls.push('send') as never };
        },
        env: {},
      }).catch((e: unknown) => e as TempcredsError);
      expect(err).toBeInstanceOf(TempcredsError);
      expect((err as TempcredsError).exitCode).toBe(2);
      expect((err as TempcredsError).message).toBe(
        `${roleArn} is a role of partition ${rolePartition}, but profile sts_user calls STS in ${region} (partition ${sourcePartition}): a role can only be assumed with keys of its own partition.`,
      );
      expect(calls).toEqual([]);
    },
  );

  it('signs with the source in its region, through the factory it is given', async () => {
    const seen: unknown[] = [];
    const expiration = new Date(Date.now() + 3600_000);
    const session = await startRoleSession({
      source: source('cn-northwest-1'),
      request: parseAssumeRoleRequest({
        role: 'arn:aws-cn:iam::111122223333:role/x',
        roleSessionName: 'fixed',
      }),
      createSts: (ctx) => {
        seen.push({ region: ctx.region, endpointUrl: ctx.endpointUrl });
        return {
          send: async (command: { input: unknown }) => {
            seen.push(command.input);
            return {
              Credentials: {
                AccessKeyId: 'ASIA1',
                SecretAccessKey: 'S1',
                SessionToken: 'T1',
                Expiration: expiration,
              },
              AssumedRoleUser: {
                AssumedRoleId: 'AROA:fixed',
                Arn: 'arn:aws-cn:sts::111122223333:assumed-role/x/fixed',
              },
            } as never;
          },
        };
      },
      endpointUrl: 'http://127.0.0.1:1',
      env: {},
    });
    expect(seen).toEqual([
      { region: 'cn-northwest-1', endpointUrl: 'http://127.0.0.1:1' },
      { RoleArn: 'arn:aws-cn:iam::111122223333:role/x', RoleSessionName: 'fixed' },
    ]);
    expect(session.first.credentials.accessKeyId).toBe('ASIA1');
  });
});
