import { describe, expect, it } from 'vitest';
import { sessionContext, sessionOptionsCheck } from '../../../src/iam/doctorSession.js';
import type { RoleInfo } from '../../../src/iam/iamReads.js';

const USER = 'arn:aws:iam::123456789012:user/u';
const role = (statements: object[]): RoleInfo =>
  ({
    name: 'r',
    arn: 'arn:aws:iam::123456789012:role/r',
    maxSessionDuration: 3600,
    trust: { Version: '2012-10-17', Statement: statements },
  }) as unknown as RoleInfo;
const allow = (action: string | string[], extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: USER },
  Action: action,
  ...extra,
});
const tagged = { tags: [{ key: 'Project', value: 'iot' }] };

describe('doctor: session options in the trust policy', () => {
  it('asks nothing of a session without tags or SourceIdentity (a session policy needs no trust action)', () => {
    expect(sessionOptionsCheck(role([allow('sts:AssumeRole')]), USER, { policy: '{}' }, {})).toBeUndefined();
  });

  it('passes when the trust allows the actions, by name, wildcard or sts:*', () => {
    for (const action of [['sts:AssumeRole', 'sts:TagSession'], 'sts:*', 'STS:tagsession']) {
      expect(sessionOptionsCheck(role([allow(action)]), USER, tagged, {})?.status).toBe('ok');
    }
  });

  it('fails with the statement to add for each missing action', () => {
    const check = sessionOptionsCheck(
      role([allow(['sts:AssumeRole', 'sts:TagSession'])]),
      USER,
      { ...tagged, sourceIdentity: 'a' },
      {},
    );
    expect(check?.status).toBe('fail');
    expect(check?.detail).toBe(`the trust policy does not allow sts:SetSourceIdentity for ${USER}`);
    expect(check?.fix).toBe(
      `Add to the trust policy of role r: {"Effect":"Allow","Principal":{"AWS":"${USER}"},"Action":"sts:SetSourceIdentity"}`,
    );
  });

  it('evaluates conditions on the request tags, and an explicit Deny', () => {
    const onlyIot = allow('sts:TagSession', {
      Condition: { StringEquals: { 'aws:RequestTag/Project': 'iot' } },
    });
    expect(sessionOptionsCheck(role([onlyIot]), USER, tagged, {})?.status).toBe('ok');
    const other = sessionOptionsCheck(role([onlyIot]), USER, { tags: [{ key: 'Project', value: 'x' }] }, {});
    expect(other?.cause).toMatch(/only if .*aws:RequestTag\/Project/);
    expect(other?.fix).toBe("Ask the role's owner to change the trust policy.");
    const denied = sessionOptionsCheck(
      role([allow('sts:TagSession'), { ...allow('sts:TagSession'), Effect: 'Deny' }]),
      USER,
      tagged,
      {},
    );
    expect(denied?.cause).toMatch(/^a Deny in role r's trust policy/);
  });

  it('the request context of a tagged session', () => {
    expect(
      sessionContext({ tags: [{ key: 'A', value: '1' }], transitiveTagKeys: ['A'], sourceIdentity: 's' }),
    ).toEqual({
      'aws:RequestTag/A': '1',
      'aws:TagKeys': ['A'],
      'sts:TransitiveTagKeys': ['A'],
      'sts:SourceIdentity': 's',
    });
  });
});
