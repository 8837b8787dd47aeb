/**
 * The AWS federation endpoint ("Enable custom identity broker access to the AWS console"):
 * getSigninToken turns session credentials into a sign-in token, and the login URL carries it to
 * the console. The token signs in whoever holds it for 15 minutes: nothing here logs it.
 */
import { TempcredsError } from '../errors.js';

/** Session credentials, as getSigninToken takes them. */
export interface FederationSession {
  /** `sessionId` in the request. */
  accessKeyId: string;
  /** `sessionKey` in the request. */
  secretAccessKey: string;
  /** `sessionToken` in the request. */
  sessionToken: string;
}

/** Where and how to ask for a sign-in token. */
export interface SigninTokenOptions {
  /** The federation endpoint, `https://signin.aws.amazon.com/federation` or the partition's. */
  federationUrl: string;
  /** `SessionDuration` (900..43200): the console session's length. Only for role sessions that allow it. */
  sessionDuration?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** How long to wait for the endpoint (default 15 s). */
  timeoutMs?: number;
}

/** What the endpoint answered when it refused: its status and a short, secret-free text. */
export class SigninRefusal extends Error {
  constructor(
    /** The endpoint's HTTP status. */
    readonly status: number,
    /** Its error page as one line, tags out and key-like runs masked. */
    readonly text: string,
  ) {
    super(`HTTP ${status}${text ? `: ${text}` : ''}`);
  }
}

/**
 * `GET <federation>?Action=getSigninToken[&SessionDuration=N]&Session=<JSON>` and the
 * `SigninToken` of its answer. A refusal throws {@link SigninRefusal} (for the caller to explain
 * in terms of how the session was made); an unreachable endpoint, a TempcredsError.
 */
export async function getSigninToken(
  session: FederationSession,
  options: SigninTokenOptions,
): Promise<string> {
  const url = new URL(options.federationUrl);
  url.searchParams.set('Action', 'getSigninToken');
  if (options.sessionDuration !== undefined)
    url.searchParams.set('SessionDuration', String(options.sessionDuration));
  url.searchParams.set(
    'Session',
    JSON.stringify({
      sessionId: session.accessKeyId,
      sessionKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    }),
  );
  let answer: Response;
  try {
    answer = await (options.fetch ?? fetch)(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    // Never the URL itself: its query holds the session's secret key.
    throw new TempcredsError(
      `getSigninToken failed: cannot reach ${options.federationUrl} (${reason(err)}).`,
      {
        kind: 'failed',
        fix: 'Check the network (and TEMPCREDS_FEDERATION_URL, when set).',
      },
    );
  }
  const body = await answer.text();
  if (answer.status !== 200) throw new SigninRefusal(answer.status, shortText(body));
  const token = parseToken(body);
  if (!token) {
    throw new TempcredsError(`getSigninToken at ${options.federationUrl} answered without a SigninToken.`, {
      kind: 'failed',
    });
  }
  return token;
}

function parseToken(body: string): string | undefined {
  try {
    const token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}

function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return (err as Error).name === 'TimeoutError' ? 'no answer in time' : String((err as Error).message ?? err);
}

/** An error page as one short line: tags out, space collapsed, long key-like runs masked. */
function shortText(body: string): string {
  const text = body
    .replace(/<(head|script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[A-Za-z0-9/+=_-]{24,}/g, '***');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The URL that signs the holder in: `<federation>?Action=login&Issuer=..&Destination=..&SigninToken=..`. */
export function loginUrl(
  federationUrl: string,
  login: { destination: string; signinToken: string; issuer?: string },
): string {
  const url = new URL(federationUrl);
  url.searchParams.set('Action', 'login');
  url.searchParams.set('Issuer', login.issuer ?? 'tempcreds');
  url.searchParams.set('Destination', login.destination);
  url.searchParams.set('SigninToken', login.signinToken);
  return url.href;
}
