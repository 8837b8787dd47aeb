import type { Partition } from '../aws/partition.js';
import { TempcredsError } from '../errors.js';
import {
  consoleCredentials,
  type ConsoleCredentials,
  type ConsoleCredentialsOptions,
  type SessionOrigin,
} from './consoleCredentials.js';
import { getSigninToken, loginUrl, SigninRefusal } from './federation.js';
import { destinationUrl, federationUrl, parseDestination } from './hosts.js';

/** What {@link consoleSignIn} takes: where the session comes from, and the page to land on. */
export interface ConsoleSignInOptions extends ConsoleCredentialsOptions {
  /** `--destination`: a console URL on the partition's console host, or a service name. */
  destination?: string;
  /** The fetch for the federation endpoint (default the global one). */
  fetch?: typeof fetch;
}

/** A sign-in to the console, ready to hand to a browser. */
export interface ConsoleSignIn {
  /** Signs in whoever holds it, for 15 minutes: never log it, never write it anywhere. */
  url: string;
  /** Who signs in (assumed-role or federated-user ARN). */
  arn: string;
  /** The session's partition, whose console it is. */
  partition: Partition;
  /** The session's region (the console page's, unless `destination` says otherwise). */
  region: string;
  /** The console page the sign-in lands on. */
  destination: string;
  /** How the session was made. */
  origin: SessionOrigin;
  /** How long the console session lasts, when known. */
  consoleSeconds?: number;
}

/**
 * Builds the federation sign-in URL for the console of the session's partition: credentials the
 * endpoint accepts (see {@link consoleCredentials}), getSigninToken, and the login URL with the
 * destination. Every input is checked before any call; a refusal is explained by how the session was made.
 */
export async function consoleSignIn(options: ConsoleSignInOptions): Promise<ConsoleSignIn> {
  const destinationInput = parseDestination(options.destination);
  federationUrl('aws', options.source.env); // a bad override is bad input: say so before any call
  const credentials = await consoleCredentials(options);
  const destination = destinationUrl(destinationInput, credentials.partition, credentials.region);
  const endpoint = federationUrl(credentials.partition, options.source.env);
  let signinToken: string;
  try {
    signinToken = await getSigninToken(credentials.session, {
      federationUrl: endpoint,
      sessionDuration: credentials.sessionDuration,
      fetch: options.fetch,
    });
  } catch (err) {
    throw err instanceof SigninRefusal ? explainRefusal(err, credentials, endpoint) : err;
  }
  return {
    url: loginUrl(endpoint, { destination, signinToken }),
    arn: credentials.arn,
    partition: credentials.partition,
    region: credentials.region,
    destination,
    origin: credentials.origin,
    ...(credentials.consoleSeconds !== undefined && { consoleSeconds: credentials.consoleSeconds }),
  };
}

const FROM_USER_KEYS =
  "let tempcreds assume the role with an IAM user's long-term keys: tempcreds console ROLE --source-profile USER";

/** getSigninToken's refusal, with what AWS refuses for a session made this way and the fix. */
export function explainRefusal(
  refusal: SigninRefusal,
  credentials: Pick<ConsoleCredentials, 'arn' | 'origin' | 'sessionDuration'>,
  endpoint: string,
): TempcredsError {
  const duration = credentials.sessionDuration;
  const fix: Record<SessionOrigin, string> = {
    AssumeRole: `Check the role session (tempcreds assume ROLE), and that SessionDuration${duration ? ` ${duration}` : ''} is within 900..43200.`,
    AssumeRoleWithTemporaryCredentials: `AWS may refuse a role assumed with temporary credentials (role chaining): ${FROM_USER_KEYS}.`,
    RoleSession:
      duration !== undefined
        ? `Try without --duration (AWS refuses SessionDuration for a session made by role chaining), or ${FROM_USER_KEYS}.`
        : `The session may have expired, or have been assumed with DurationSeconds from temporary credentials (AWS refuses those): get a new one, or ${FROM_USER_KEYS}.`,
    GetFederationToken: 'Check the keys (tempcreds whoami), then try again.',
    FederationSession:
      'The federation token may have expired: get a new one (sts:GetFederationToken with long-term keys).',
  };
  return new TempcredsError(
    `getSigninToken at ${endpoint} refused the session of ${credentials.arn} (${refusal.message}).`,
    { kind: 'aws', fix: fix[credentials.origin], cause: refusal },
  );
}
