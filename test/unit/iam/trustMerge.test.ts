import { describe, expect, it } from 'vitest';
import type { RawPolicyDocument } from '../../../src/iam/policyDocument.js';
import { addTrustedPrincipal, newTrustPolicy, removeTrustedPrincipal } from '../../../src/iam/trustMerge.js';

const USER = 'arn:aws-cn:iam::123456789012:user/sts_user';
const OTHER = 'arn:aws-cn:iam::123456789012:user/other';
const CI = 'arn:aws-cn:iam::123456789012:role/ci';

const doc = (...Statement: RawPolicyDocument[]): RawPolicyDocument => ({ Version: '2012-10-17', Statement });
const grant = (AWS: string | string[], extra: RawPolicyDocument = {}): RawPolicyDocument => ({
  Effect: 'Allow',
  Principal: { AWS },
  Action: 'sts:AssumeRole',
  ...extra,
});
const appended = { Effect: 'Allow', Principal: { AWS: USER }, Action: 'sts:AssumeRole' };

describe('addTrustedPrincipal', () => {
  it('turns a string principal into a list, the existing principal first', () => {
    const { document, changed } = addTrustedPrincipal(doc(grant(OTHER)), USER);
    expect(changed).toBe(true);
    expect(document).toEqual(doc(grant([OTHER, USER])));
  });

  it('appends to a list, keeping its order', () => {
    expect(addTrustedPrincipal(doc(grant([CI, OTHER])), USER).document).toEqual(
      doc(grant([CI, OTHER, USER])),
    );
  });

  it('is idempotent, and a second run changes nothing', () => {
    const once = addTrustedPrincipal(doc(grant(OTHER)), USER).document;
    const twice = addTrustedPrincipal(once, USER);
    expect(twice.changed).toBe(false);
    expect(twice.document).toEqual(once);
  });

  it('leaves a statement with a Condition alone and appends a statement', () => {
    const conditional = grant(OTHER, { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } });
    const { document } = addTrustedPrincipal(doc(conditional), USER);
    expect(document).toEqual(doc(conditional, appended));
  });

  it("counts the user as trusted when a conditional statement already names it (its conditions are the owner's)", () => {
    const conditional = grant(USER, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } });
    expect(addTrustedPrincipal(doc(conditional), USER).changed).toBe(false);
  });

  it('does not add to service statements, statements with more actions, wildcards or Deny', () => {
    const statements: RawPolicyDocument[] = [
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      grant(OTHER, { Action: ['sts:AssumeRole', 'sts:TagSession'] }),
      grant('*'),
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: { AWS: CI }, Action: 'sts:AssumeRole' },
      grant(OTHER, { NotPrincipal: { AWS: CI } }),
    ];
    expect(addTrustedPrincipal(doc(...statements), USER).document).toEqual(doc(...statements, appended));
  });

  it('adds to the first plain grant only, touching no other statement', () => {
    const service = {
      Sid: 'Ec2',
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const second = grant(CI, { Sid: 'Second' });
    const { document } = addTrustedPrincipal(doc(service, grant(OTHER, { Sid: 'First' }), second), USER);
    expect(document).toEqual(doc(service, grant([OTHER, USER], { Sid: 'First' }), second));
  });

  it('keeps other principal types of the statement it extends', () => {
    const mixed = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com', AWS: OTHER },
      Action: ['sts:AssumeRole'],
    };
    const { document } = addTrustedPrincipal(doc(mixed), USER);
    expect(document).toEqual(
      doc({ ...mixed, Principal: { Service: 'ec2.amazonaws.com', AWS: [OTHER, USER] } }),
    );
  });

  it('keeps key order and unknown keys exactly', () => {
    const original: RawPolicyDocument = {
      Id: 'keep-me',
      Statement: { Action: 'sts:AssumeRole', Sid: 'S', Principal: { AWS: OTHER }, Effect: 'Allow' },
      Version: '2012-10-17',
    };
    const { document } = addTrustedPrincipal(original, USER);
    expect(JSON.stringify(document)).toBe(
      JSON.stringify({
        Id: 'keep-me',
        Statement: { Action: 'sts:AssumeRole', Sid: 'S', Principal: { AWS: [OTHER, USER] }, Effect: 'Allow' },
        Version: '2012-10-17',
      }),
    );
  });

  it('turns a single Statement object into a list only to append', () => {
    const single: RawPolicyDocument = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    };
    expect(addTrustedPrincipal(single, USER).document).toEqual({
      Version: '2012-10-17',
      Statement: [single.Statement, appended],
    });
  });

  it('never mutates its input', () => {
    const input = doc(grant(OTHER));
    const before = JSON.stringify(input);
    addTrustedPrincipal(input, USER);
    removeTrustedPrincipal(input, OTHER);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('the trust of a new role is the runbook statement', () => {
    expect(newTrustPolicy(USER)).toEqual(doc(appended));
  });
});

describe('removeTrustedPrincipal', () => {
  it('removes the principal from a list, keeping the others in order', () => {
    const result = removeTrustedPrincipal(doc(grant([CI, USER, OTHER])), USER);
    expect(result).toEqual({ document: doc(grant([CI, OTHER])), changed: true, empty: false });
  });

  it('removes a statement left without principals, keeping the rest', () => {
    const result = removeTrustedPrincipal(doc(grant(OTHER), appended), USER);
    expect(result.document).toEqual(doc(grant(OTHER)));
  });

  it('undoes addTrustedPrincipal (a string principal stays a one-item list)', () => {
    const original = doc(grant([OTHER, CI]), {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    const added = addTrustedPrincipal(original, USER).document;
    expect(removeTrustedPrincipal(added, USER).document).toEqual(original);
    expect(
      removeTrustedPrincipal(addTrustedPrincipal(doc(grant(OTHER)), USER).document, USER).document,
    ).toEqual(doc(grant([OTHER])));
  });

  it('never touches statements setup does not write (conditions, other actions, Deny)', () => {
    const untouched = doc(
      grant(USER, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }),
      { Effect: 'Deny', Principal: { AWS: USER }, Action: 'sts:AssumeRole' },
      grant(OTHER),
    );
    expect(removeTrustedPrincipal(untouched, USER)).toEqual({
      document: untouched,
      changed: false,
      empty: false,
    });
  });

  it('keeps a statement with other principal types, dropping only AWS', () => {
    const mixed = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com', AWS: USER },
      Action: 'sts:AssumeRole',
    };
    expect(removeTrustedPrincipal(doc(mixed), USER).document).toEqual(
      doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    );
  });

  it('reports a trust that would be left empty instead of emptying it', () => {
    expect(removeTrustedPrincipal(doc(appended), USER)).toMatchObject({ changed: false, empty: true });
  });
});
