import { describe, expect, it } from 'vitest';
import { parseAssumeRoleRequest, parseSessionOptions } from '../../../src/credentials/assumeRoleRequest.js';
import {
  compactJson,
  parsePolicyArns,
  parseSessionPolicy,
  parseSessionTags,
  parseSourceIdentity,
} from '../../../src/credentials/sessionOptions.js';
import { explainSessionRefusal, sessionTrustStatement } from '../../../src/credentials/sessionRefusals.js';
import { usage } from './usageError.js';

const POLICY =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

describe('session tags', () => {
  it('splits Key=Value at the first =, keeps values with = and empty values', () => {
    expect(parseSessionTags(['Project=iot', 'Expr=a=b', 'Empty=', 'Sp ace=x y', 'Ünï=çødé'])).toEqual([
      { key: 'Project', value: 'iot' },
      { key: 'Expr', value: 'a=b' },
      { key: 'Empty', value: '' },
      { key: 'Sp ace', value: 'x y' },
      { key: 'Ünï', value: 'çødé' },
    ]);
    expect(parseSessionTags([{ key: 'k', value: 'v' }])).toEqual([{ key: 'k', value: 'v' }]);
  });

  it.each([
    [['novalue'], /^Tags "novalue" is not Key=Value\.$/],
    [['=v'], /^Tags key "" is 0 characters; AWS allows 1\.\.128\.$/],
    [[`${'k'.repeat(129)}=v`], /is 129 characters; AWS allows 1\.\.128/],
    [[`k=${'v'.repeat(257)}`], /^Tags value of k is 257 characters; AWS allows 0\.\.256/],
    [['a!b=v'], /^Tags key "a!b" has a character AWS does not allow in session tags: U\+0021 \(!\)\.$/],
    [['k=a\tb'], /^Tags value of k has a character .*: U\+0009\.$/],
    [['k=a"b'], /: U\+0022 \("\)\.$/],
    [
      ['Project=a', 'project=b'],
      /key "project" is given twice \(as "Project" too: AWS ignores the case of tag keys\)/,
    ],
    [['k=a', 'k=b'], /key "k" is given twice\.$/],
  ])('refuses %j', (tags, message) => {
    expect(usage(() => parseSessionTags(tags)).message).toMatch(message);
  });

  it('takes 50 tags and refuses 51', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`);
    expect(parseSessionTags(tags(50))).toHaveLength(50);
    expect(usage(() => parseSessionTags(tags(51))).message).toBe(
      'Tags: 51 session tags; AWS allows at most 50.',
    );
  });

  it('takes keys of exactly 128 and values of exactly 256 characters', () => {
    const [tag] = parseSessionTags([`${'k'.repeat(128)}=${'v'.repeat(256)}`]);
    expect(tag?.key).toHaveLength(128);
    expect(tag?.value).toHaveLength(256);
  });
});

describe('transitive tag keys', () => {
  it('must be keys of the tags; matched ignoring case, sent as the tag spells them, once', () => {
    const request = parseSessionOptions({
      tags: ['Project=a', 'Team=b'],
      transitiveTagKeys: ['project', 'Project'],
    });
    expect(request.transitiveTagKeys).toEqual(['Project']);
    const err = usage(() => parseSessionOptions({ tags: ['Project=a'], transitiveTagKeys: ['Team'] }));
    expect(err.message).toBe('TransitiveTagKeys Team is not the key of any of the session tags (Tags).');
    expect(err.fix).toBe('Add Tags Team=VALUE, or leave the key out of TransitiveTagKeys.');
    expect(usage(() => parseSessionOptions({ transitiveTagKeys: ['Team'] })).message).toMatch(/not the key/);
  });

  it('name the flags when the CLI passes them', () => {
    const err = usage(() =>
      parseSessionOptions(
        { transitiveTagKeys: ['Team'] },
        { names: { transitiveTagKeys: '--transitive-tag-key', tags: '--tag' } },
      ),
    );
    expect(err.message).toBe('--transitive-tag-key Team is not the key of any of the session tags (--tag).');
  });
});

describe('SourceIdentity', () => {
  it.each(['al', 'alice@example.com', 'a+b=c,d.e@f-g_h', 'x'.repeat(64)])('takes %s', (id) => {
    expect(parseSourceIdentity(id)).toBe(id);
  });
  it.each([
    ['a', /is invalid: AWS allows 2-64/],
    ['x'.repeat(65), /is invalid/],
    ['a b', /is invalid/],
    ['aws:me', /starts with aws:, which AWS reserves/],
    ['AWS:me', /starts with aws:/],
  ])('refuses %s', (id, message) => {
    expect(usage(() => parseSourceIdentity(id, '--source-identity')).message).toMatch(message);
  });
});

describe('session policy', () => {
  it('is sent compacted: whitespace outside strings goes, strings stay as written', () => {
    const pretty =
      '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Sid": "a b\\" c", "Effect": "Allow" } ]\n}\n';
    expect(compactJson(pretty)).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"a b\\" c","Effect":"Allow"}]}',
    );
    expect(parseSessionPolicy(pretty)).toBe(compactJson(pretty));
  });

  it('counts 2048 characters after compacting: a pretty document of 3000 that compacts to 2048 fits', () => {
    const filler = 'x'.repeat(2048 - '{"Sid":""}'.length);
    const doc = `{"Sid":"${filler}"}`;
    expect(doc).toHaveLength(2048);
    const pretty = doc.replace('{', '{' + ' '.repeat(1000));
    expect(parseSessionPolicy(pretty)).toBe(doc);
    const err = usage(() => parseSessionPolicy(`{"Sid":"${filler}x"}`, '--policy'));
    expect(err.message).toBe('--policy is 2049 characters without whitespace; AWS allows 2048.');
  });

  it.each([
    ['{', /^Policy is not JSON: /],
    ['file://p.json', /^Policy is not JSON \(file:\/\/ is a CLI form: pass the document itself\)/],
    ['[]', /not a policy document/],
    ['"x"', /not a policy document/],
    ['{"Sid":"☃"}', /character AWS does not accept in a session policy: U\+2603 \(☃\)/],
  ])('refuses %s', (text, message) => {
    expect(usage(() => parseSessionPolicy(text)).message).toMatch(message);
  });

  it('accepts Latin-1 and escapes', () => {
    expect(parseSessionPolicy('{"Sid":"café \\u2603"}')).toBe('{"Sid":"café \\u2603"}');
  });
});

describe('managed session policies', () => {
  it('takes up to 10 policy ARNs of any partition, each once', () => {
    const arns = Array.from({ length: 10 }, (_, i) => `arn:aws-cn:iam::123456789012:policy/p${i}`);
    expect(parsePolicyArns([...arns, arns[0]!])).toEqual(arns);
    expect(
      parsePolicyArns(['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws-us-gov:iam::aws:policy/a/b']),
    ).toHaveLength(2);
    expect(usage(() => parsePolicyArns([...arns, 'arn:aws:iam::aws:policy/x'])).message).toBe(
      'PolicyArns: 11 managed session policies; AWS allows at most 10.',
    );
  });
  it.each([
    'ReadOnlyAccess',
    'arn:aws:iam::aws:role/x',
    'arn:aws:s3:::b',
    'arn:aws:iam::12:policy/x',
    'arn:aws:iam::aws:policy/',
  ])('refuses %s', (arn) => {
    expect(usage(() => parsePolicyArns([arn])).message).toMatch(/is not the ARN of an IAM managed policy/);
  });
});

describe('the typed request', () => {
  it('carries every session option, and leaves absent ones (and empty lists) out', () => {
    const request = parseAssumeRoleRequest({
      role: 'x',
      tags: ['Project=iot'],
      transitiveTagKeys: ['Project'],
      sourceIdentity: 'alice',
      policy: ` ${POLICY} `,
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    expect(request).toEqual({
      role: { roleName: 'x' },
      tags: [{ key: 'Project', value: 'iot' }],
      transitiveTagKeys: ['Project'],
      sourceIdentity: 'alice',
      policy: POLICY,
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    expect(parseAssumeRoleRequest({ role: 'x', tags: [], policyArns: [] })).toEqual({
      role: { roleName: 'x' },
    });
  });
});

describe("AWS's refusals of the session's shape", () => {
  const shape = {
    roleArn: 'arn:aws:iam::123456789012:role/r',
    tags: [{ key: 'k', value: 'v' }],
    sourceIdentity: 'alice',
  };
  const awsError = (name: string, message: string) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

  it('AccessDenied on sts:TagSession: the statement to add, with every action the request needs', () => {
    const user = 'arn:aws:iam::123456789012:user/u';
    const err = explainSessionRefusal(
      awsError(
        'AccessDenied',
        `User: ${user} is not authorized to perform: sts:TagSession on resource: ${shape.roleArn}`,
      ),
      shape,
      'AssumeRole r',
    );
    expect(err?.kind).toBe('aws');
    expect(err?.fix).toBe(
      `Role r's trust policy must also allow sts:TagSession and sts:SetSourceIdentity for ${user}: add the statement ${sessionTrustStatement(user, ['sts:TagSession', 'sts:SetSourceIdentity'])} (or add "sts:TagSession", "sts:SetSourceIdentity" to the Action of the statement that trusts it).`,
    );
    expect(JSON.parse(sessionTrustStatement(user, ['sts:TagSession']))).toEqual({
      Effect: 'Allow',
      Principal: { AWS: user },
      Action: 'sts:TagSession',
    });
  });

  it('AccessDenied on sts:AssumeRole, or for an action the request did not need, is left to the general explanation', () => {
    const denied = (action: string) =>
      awsError(
        'AccessDenied',
        `User: arn:aws:iam::1:user/u is not authorized to perform: ${action} on resource: x`,
      );
    expect(explainSessionRefusal(denied('sts:AssumeRole'), shape, 'a')).toBeUndefined();
    expect(explainSessionRefusal(denied('sts:TagSession'), { roleArn: shape.roleArn }, 'a')).toBeUndefined();
  });

  it('PackedPolicyTooLarge and MalformedPolicyDocument, by wire code or SDK name', () => {
    for (const name of ['PackedPolicyTooLarge', 'PackedPolicyTooLargeException']) {
      const err = explainSessionRefusal(
        awsError(name, 'Packed size of session tags consumes 112% of allotted space.'),
        shape,
        'a',
      );
      expect(err?.message).toBe(
        `a failed: ${name}: Packed size of session tags consumes 112% of allotted space.`,
      );
      expect(err?.fix).toMatch(
        /^AWS packs the session tags and session policies into the session token, and these did not fit \(1 tags; /,
      );
    }
    for (const name of ['MalformedPolicyDocument', 'MalformedPolicyDocumentException']) {
      expect(explainSessionRefusal(awsError(name, 'Syntax errors in policy.'), shape, 'a')?.fix).toMatch(
        /identity policy/,
      );
    }
  });
});
