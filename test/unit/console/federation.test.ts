import { describe, expect, it } from 'vitest';
import { getSigninToken, loginUrl, SigninRefusal } from '../../../src/console/federation.js';
import { federatedUserName } from '../../../src/console/federationToken.js';
import { explainRefusal } from '../../../src/console/signIn.js';
import type { TempcredsError } from '../../../src/errors.js';

const SESSION = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLETOKENEXAMPLETOKENEXAMPLE==',
};
const FED = 'https://signin.amazonaws.cn/federation';

/** A fetch that records the URL it was asked for and answers `status`, `body`. */
function answering(status: number, body: string) {
  const asked: URL[] = [];
  const fetch = (async (url: URL) => {
    asked.push(new URL(url));
    return new Response(body, { status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, asked };
}

describe('getSigninToken', () => {
  it("sends the session as AWS's JSON, SessionDuration only when given, and returns the token", async () => {
    const { fetch, asked } = answering(200, '{"SigninToken":"tok"}');
    expect(await getSigninToken(SESSION, { federationUrl: FED, fetch })).toBe('tok');
    expect(await getSigninToken(SESSION, { federationUrl: FED, fetch, sessionDuration: 43200 })).toBe('tok');
    expect(asked.map((u) => `${u.origin}${u.pathname}`)).toEqual([FED, FED]);
    expect(asked[0]!.searchParams.get('Action')).toBe('getSigninToken');
    expect(asked[0]!.searchParams.has('SessionDuration')).toBe(false);
    expect(asked[1]!.searchParams.get('SessionDuration')).toBe('43200');
    expect(JSON.parse(asked[0]!.searchParams.get('Session')!)).toEqual({
      sessionId: SESSION.accessKeyId,
      sessionKey: SESSION.secretAccessKey,
      sessionToken: SESSION.sessionToken,
    });
  });

  it('a refusal: the status and the page as one short line, key-like runs masked, no head', async () => {
    const page = `<html><head><title>400 Bad Request</title><style>p{}</style></head><body><h1>Bad</h1>
      <p>session ${SESSION.secretAccessKey} refused</p></body></html>`;
    const { fetch } = answering(400, page);
    const err = await getSigninToken(SESSION, { federationUrl: FED, fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigninRefusal);
    expect((err as SigninRefusal).message).toBe('HTTP 400: Bad session *** refused');
  });

  it('a long page is cut to 160 characters', async () => {
    const { fetch } = answering(403, 'word '.repeat(100));
    const err = (await getSigninToken(SESSION, { federationUrl: FED, fetch }).catch(
      (e: unknown) => e,
    )) as SigninRefusal;
    expect(err.text).toHaveLength(160);
    expect(err.text.endsWith('...')).toBe(true);
  });

  it.each(['{}', '{"SigninToken":""}', '{"SigninToken":5}', 'not json'])(
    'an answer without a token (%s) fails',
    async (body) => {
      const { fetch } = answering(200, body);
      await expect(getSigninToken(SESSION, { federationUrl: FED, fetch })).rejects.toThrow(
        `getSigninToken at ${FED} answered without a SigninToken.`,
      );
    },
  );

  it('an unreachable endpoint names it, never the URL with the session', async () => {
    const fetch = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof globalThis.fetch;
    const err = (await getSigninToken(SESSION, { federationUrl: FED, fetch }).catch(
      (e: unknown) => e,
    )) as TempcredsError;
    expect(err.message).toBe(`getSigninToken failed: cannot reach ${FED} (ECONNREFUSED).`);
    expect(JSON.stringify(err) + err.message + (err.fix ?? '')).not.toContain(SESSION.secretAccessKey);
  });
});

describe('loginUrl', () => {
  it('carries Action, Issuer, Destination and the token, encoded', () => {
    const url = new URL(
      loginUrl(FED, {
        destination: 'https://console.amazonaws.cn/s3/home?region=cn-north-1',
        signinToken: 'a+b/c=',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'tempcreds',
      Destination: 'https://console.amazonaws.cn/s3/home?region=cn-north-1',
      SigninToken: 'a+b/c=',
    });
  });
});

describe('federatedUserName', () => {
  it.each([
    ['arn:aws:iam::123456789012:user/sts_user', 'sts_user'],
    ['arn:aws:iam::123456789012:user/division/team/alice', 'alice'],
    ['arn:aws:iam::123456789012:user/a', 'tempcreds'],
    ['arn:aws:iam::123456789012:user/é!x', '--x'],
    [`arn:aws:iam::123456789012:user/${'n'.repeat(64)}`, 'n'.repeat(32)],
    ['arn:aws:iam::123456789012:user/a+b=c,d.e@f-g', 'a+b=c,d.e@f-g'],
  ])('%s -> %s (2..32 of [\\w+=,.@-])', (arn, name) => {
    expect(federatedUserName(arn)).toBe(name);
  });
});

describe('explainRefusal', () => {
  const refusal = new SigninRefusal(400, 'Bad');
  const arn = 'arn:aws-cn:sts::123456789012:assumed-role/r/s';
  it.each([
    ['AssumeRole', 3600, /SessionDuration 3600 is within 900\.\.43200/],
    ['AssumeRoleWithTemporaryCredentials', undefined, /role chaining.*--source-profile USER/],
    ['RoleSession', 7200, /^Try without --duration/],
    ['RoleSession', undefined, /may have expired/],
    ['GetFederationToken', undefined, /tempcreds whoami/],
    ['FederationSession', undefined, /federation token may have expired/],
  ] as const)('%s (SessionDuration %s)', (origin, sessionDuration, fix) => {
    const err = explainRefusal(refusal, { arn, origin, sessionDuration }, FED);
    expect(err.kind).toBe('aws');
    expect(err.message).toBe(`getSigninToken at ${FED} refused the session of ${arn} (HTTP 400: Bad).`);
    expect(err.fix).toMatch(fix);
  });
});
