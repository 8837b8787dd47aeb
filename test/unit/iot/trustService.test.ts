/** The trust merge for a Service principal (iot setup's `credentials.iot.amazonaws.com`). */
import { describe, expect, it } from 'vitest';
import type { RawPolicyDocument } from '../../../src/iam/policyDocument.js';
import { addTrustedPrincipal, namesPrincipal, removeTrustedPrincipal } from '../../../src/iam/trustMerge.js';
import {
  CREDENTIALS_PROVIDER_PRINCIPAL as IOT,
  trustsCredentialsProvider,
} from '../../../src/iot/iotPolicy.js';

const USER = 'arn:aws-cn:iam::123456789012:user/sts_user';
const doc = (...Statement: RawPolicyDocument[]): RawPolicyDocument => ({ Version: '2012-10-17', Statement });
const awsGrant = (AWS: string | string[]) => ({
  Effect: 'Allow',
  Principal: { AWS },
  Action: 'sts:AssumeRole',
});
const serviceGrant = (Service: string | string[], extra: RawPolicyDocument = {}) => ({
  Effect: 'Allow',
  Principal: { Service },
  Action: 'sts:AssumeRole',
  ...extra,
});

describe('adding a Service principal', () => {
  it('never joins a statement of AWS principals: a statement of its own is appended', () => {
    const { document, changed } = addTrustedPrincipal(doc(awsGrant(USER)), IOT, 'Service');
    expect(changed).toBe(true);
    expect(document).toEqual(doc(awsGrant(USER), serviceGrant(IOT)));
  });

  it('joins the first plain grant to services, keeping its order', () => {
    const { document } = addTrustedPrincipal(
      doc(awsGrant(USER), serviceGrant('ec2.amazonaws.com')),
      IOT,
      'Service',
    );
    expect(document).toEqual(doc(awsGrant(USER), serviceGrant(['ec2.amazonaws.com', IOT])));
  });

  it('is idempotent, and finds the service in a statement with both principal types', () => {
    const both = doc({ Effect: 'Allow', Principal: { AWS: USER, Service: [IOT] }, Action: 'sts:AssumeRole' });
    expect(addTrustedPrincipal(both, IOT, 'Service')).toEqual({ document: both, changed: false });
    const once = addTrustedPrincipal(doc(awsGrant(USER)), IOT, 'Service').document;
    expect(addTrustedPrincipal(once, IOT, 'Service').changed).toBe(false);
    expect(namesPrincipal(once, IOT, 'Service')).toBe(true);
    expect(namesPrincipal(once, IOT)).toBe(false);
  });

  it('leaves a conditioned service statement alone (the owner’s conditions) and counts it as trusting', () => {
    const conditioned = serviceGrant(IOT, {
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    expect(addTrustedPrincipal(doc(conditioned), IOT, 'Service').changed).toBe(false);
    expect(trustsCredentialsProvider(doc(conditioned))).toBe(true);
  });

  it('a single statement object stays one when nothing is added, becomes a list when one is', () => {
    const single = { Version: '2012-10-17', Statement: awsGrant(USER) };
    expect(addTrustedPrincipal(single, IOT, 'Service').document.Statement).toEqual([
      awsGrant(USER),
      serviceGrant(IOT),
    ]);
  });
});

describe('removing a Service principal', () => {
  it('undoes the add exactly', () => {
    const before = doc(awsGrant(USER));
    const added = addTrustedPrincipal(before, IOT, 'Service').document;
    expect(removeTrustedPrincipal(added, IOT, 'Service')).toEqual({
      document: before,
      changed: true,
      empty: false,
    });
  });

  it('takes the service out of a list it joined, the list staying a list', () => {
    const joined = doc(serviceGrant(['ec2.amazonaws.com', IOT]));
    expect(removeTrustedPrincipal(joined, IOT, 'Service').document).toEqual(
      doc(serviceGrant(['ec2.amazonaws.com'])),
    );
  });

  it('drops a statement left without principals, keeps the other type in a mixed one', () => {
    expect(removeTrustedPrincipal(doc(awsGrant(USER), serviceGrant(IOT)), IOT, 'Service').document).toEqual(
      doc(awsGrant(USER)),
    );
    const mixed = doc({ Effect: 'Allow', Principal: { AWS: USER, Service: IOT }, Action: 'sts:AssumeRole' });
    expect(removeTrustedPrincipal(mixed, IOT, 'Service').document).toEqual(doc(awsGrant(USER)));
  });

  it('never removes the only statement (IAM refuses an empty trust) and never an AWS principal of that name', () => {
    expect(removeTrustedPrincipal(doc(serviceGrant(IOT)), IOT, 'Service')).toMatchObject({
      changed: false,
      empty: true,
    });
    expect(removeTrustedPrincipal(doc(awsGrant(USER)), USER, 'Service').changed).toBe(false);
  });
});

describe('trustsCredentialsProvider', () => {
  it.each([
    ['the service in a plain grant', doc(serviceGrant(IOT)), true],
    ['the service in a list', doc(serviceGrant(['ec2.amazonaws.com', IOT])), true],
    ['sts:* as the action', doc({ ...serviceGrant(IOT), Action: 'sts:*' }), true],
    ['only an AWS principal', doc(awsGrant(USER)), false],
    ['another service', doc(serviceGrant('ec2.amazonaws.com')), false],
    ['the service for another action', doc({ ...serviceGrant(IOT), Action: 'sts:TagSession' }), false],
    ['an Allow and a Deny for it', doc(serviceGrant(IOT), { ...serviceGrant(IOT), Effect: 'Deny' }), false],
    ['Principal *', doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), true],
  ])('%s: %s', (_name, trust, expected) => {
    expect(trustsCredentialsProvider(trust as RawPolicyDocument)).toBe(expected);
  });
});
