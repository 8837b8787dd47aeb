/** Each of the credentials provider's refusals (as the session-helper dev notes recorded them) and its explanation. */
import { describe, expect, it } from 'vitest';
import {
  answerMessage,
  classifyAnswer,
  explainIotAnswer,
  isTransientAnswer,
} from '../../../src/iot/refusals.js';

const ctx = {
  profile: 'device',
  endpoint: 'abc.credentials.iot.cn-northwest-1.amazonaws.com.cn',
  roleAlias: 'collector-alias',
  thingName: 'collector-0001',
  certificateId: 'f'.repeat(64),
  region: 'cn-northwest-1',
};

describe('classifyAnswer: AWS’s documented answers', () => {
  it.each([
    [403, 'Certificate is invalid on this endpoint', 'certificate'],
    [403, 'Invalid thing name passed', 'thing'],
    [403, 'Access Denied', 'policy'],
    [404, 'Role alias does not exist', 'roleAlias'],
    [400, 'Unable to assume the role, or the role to assume does not exist', 'role'],
    [
      400,
      'The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role',
      'duration',
    ],
    [429, 'Rate exceeded', 'throttled'],
    [500, 'Internal Failure', 'other'],
    [403, 'Forbidden by something new', 'policy'],
  ] as const)('%i %s -> %s', (status, message, expected) => {
    expect(classifyAnswer({ status, message })).toBe(expected);
  });
});

describe('explainIotAnswer', () => {
  it('quotes AWS, says what it means here, and gives the fix with the names filled in', () => {
    const err = explainIotAnswer(
      { status: 403, message: 'Invalid thing name passed', errorType: 'AccessDeniedException' },
      ctx,
    );
    expect(err.message).toBe(
      'AWS IoT credentials provider abc.credentials.iot.cn-northwest-1.amazonaws.com.cn refused profile device (role alias collector-alias): 403 AccessDeniedException: Invalid thing name passed — the certificate is not attached to thing collector-0001, or there is no such thing.',
    );
    expect(err).toMatchObject({ kind: 'aws', awsCode: 'AccessDeniedException' });
    expect(err.fix).toContain(
      'aws iot list-principal-things --principal CERTIFICATE_ARN --region cn-northwest-1',
    );
  });

  it.each([
    [
      'certificate',
      403,
      'Certificate is invalid on this endpoint',
      `aws iot describe-certificate --certificate-id ${'f'.repeat(64)} --region cn-northwest-1`,
    ],
    ['policy', 403, 'Access Denied', 'tempcreds doctor --source-profile device --admin-profile ADMIN'],
    ['roleAlias', 404, 'Role alias does not exist', 'aws iot list-role-aliases --region cn-northwest-1'],
    [
      'role',
      400,
      'Unable to assume the role, or the role to assume does not exist',
      'aws iot describe-role-alias --role-alias collector-alias',
    ],
    [
      'duration',
      400,
      'The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role',
      'tempcreds role set-max-duration ROLE SECONDS',
    ],
  ])('%s: the fix names %s', (_kind, status, message, fix) => {
    const err = explainIotAnswer({ status, message }, ctx);
    expect(err.fix).toContain(fix);
    expect(err.message).toContain(`${status}: ${message} — `);
    expect(err.kind).toBe('aws');
  });

  it('throttling and server errors are failures worth retrying, not refusals', () => {
    expect(isTransientAnswer({ status: 503, message: 'x' })).toBe(true);
    expect(isTransientAnswer({ status: 429, message: 'Rate exceeded' })).toBe(true);
    expect(isTransientAnswer({ status: 403, message: 'Access Denied' })).toBe(false);
    expect(explainIotAnswer({ status: 503, message: 'x' }, ctx).kind).toBe('failed');
  });
});

describe('answerMessage', () => {
  it.each([
    ['{"message":"Access Denied"}', 'Access Denied'],
    ['{"Message":"Rate exceeded"}', 'Rate exceeded'],
    ['<html>Bad Gateway</html>', '<html>Bad Gateway</html>'],
    ['', '(empty answer)'],
    ['{"other":1}', '{"other":1}'],
  ])('%j -> %j', (body, message) => expect(answerMessage(body)).toBe(message));
});
