import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/cli/io.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEOr//////////wEaDmFwLXNvdXRoZWFzdC0xIkcwRQIgEXAMPLE=';

describe('Redactor: AWS words stay as AWS wrote them', () => {
  it.each([
    'ExpiredToken: The security token included in the request is expired',
    'InvalidClientTokenId: The security token included in the request is invalid.',
    'UnrecognizedClientException: The security token included in the request is invalid',
    'tempcreds: GetCallerIdentity failed: ExpiredToken: The security token included in the request is expired',
    '  fix: The session token of profile x has expired: get new credentials (tempcreds assume ROLE).',
    'SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.',
    'Token: none given',
    'token = not-set',
    'the Authorization header must carry the value of AWS_CONTAINER_AUTHORIZATION_TOKEN.',
    'aws_session_token = (missing)',
    'SessionToken: InvalidClientTokenId',
    'IdToken: abcdefghijklmnopqrstuvwxyz0123456789',
    'refreshToken=abcdefghijklmnopqrstuvwxyz0123456789',
    'warning: the cache file /home/u/.cache/tempcreds/0123456789abcdef.json is corrupt (not JSON); replacing it.',
    'AccessDenied: User: arn:aws-cn:iam::111122223333:user/sts_user is not authorized to perform: sts:AssumeRole on resource: arn:aws-cn:iam::111122223333:role/x',
  ])('%s', (line) => {
    expect(new Redactor().redact(line)).toBe(line);
  });
});

describe('Redactor: secrets are hidden', () => {
  it.each([
    [`aws_secret_access_key = ${SECRET}`, 'aws_secret_access_key = [redacted]'],
    [`AWS_SECRET_ACCESS_KEY=${SECRET}`, 'AWS_SECRET_ACCESS_KEY=[redacted]'],
    [`aws_session_token=${TOKEN}`, 'aws_session_token=[redacted]'],
    [`aws_security_token: ${TOKEN}`, 'aws_security_token: [redacted]'],
    [
      `{"SecretAccessKey":"${SECRET}","SessionToken":"${TOKEN}"}`,
      '{"SecretAccessKey":"[redacted]","SessionToken":"[redacted]"}',
    ],
    [`{"AccessKeyId":"ASIA1","Token":"${TOKEN}"}`, '{"AccessKeyId":"ASIA1","Token":"[redacted]"}'],
    [`{ secretAccessKey: '${SECRET}' }`, "{ secretAccessKey: '[redacted]' }"],
    [
      `X-Amz-Security-Token=${encodeURIComponent(TOKEN)}&X-Amz-Date=1`,
      'X-Amz-Security-Token=[redacted]&X-Amz-Date=1',
    ],
    [`Authorization: AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_`, 'Authorization: [redacted]'],
  ])('%s', (line, expected) => {
    expect(new Redactor().redact(line)).toBe(expected);
  });

  it('hides every known secret wherever it stands, even in plain words', () => {
    const redactor = new Redactor();
    redactor.add(SECRET, TOKEN, 'short', undefined);
    expect(redactor.redact(`got ${SECRET} and (${TOKEN}) and short`)).toBe(
      'got [redacted] and ([redacted]) and short',
    );
  });
});
