/** STS as AWS runs it: credentials that expire, MaxSessionDuration, and the role-chaining cap. */

/** Credentials the proxy saw issued, kept to enforce expiry and chaining and to re-sign as the caller. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; undefined for keys that do not expire (IAM user keys). */
  expiresAt?: number;
  /** Issued by AssumeRole*: an AssumeRole signed with it is role chaining. */
  roleSession: boolean;
  /** The STS action that issued them, and the ARN it named (AssumedRoleUser or FederatedUser). */
  action?: string;
  arn?: string;
  /** How the issuing call was made: signed with session credentials, and with DurationSeconds. */
  signedWithSession?: boolean;
  durationSecondsGiven?: boolean;
}

/** How a call that issued credentials was made (what the console federation endpoint cares about). */
export interface IssuingCall {
  signedWithSession: boolean;
  durationSecondsGiven: boolean;
}

const ROLE_SESSION_ACTIONS = new Set(['AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);
const SESSION_ACTIONS = new Set([...ROLE_SESSION_ACTIONS, 'GetSessionToken', 'GetFederationToken']);

/** Answers the proxy reads credentials from (IAM CreateAccessKey only to learn the secret). */
export function issuesCredentials(service: string, action: string): boolean {
  return (
    (service === 'sts' && SESSION_ACTIONS.has(action)) || (service === 'iam' && action === 'CreateAccessKey')
  );
}

const element = (body: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];

/** ISO 8601 to the second, as AWS writes it: `2026-02-25T06:03:31Z`. */
export const awsTimestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SessionBook {
  get(accessKeyId: string | undefined): IssuedCredentials | undefined;
  isExpired(accessKeyId: string | undefined, now?: number): boolean;
  /**
   * Learns the credentials in a successful answer to `action`. With a lifetime, their Expiration
   * is rewritten to now + lifetime first. Returns the body to send on.
   */
  learn(
    action: string,
    body: string,
    lifetimeSeconds: number | undefined,
    now?: number,
    call?: IssuingCall,
  ): string;
}

export function createSessionBook(): SessionBook {
  const issued = new Map<string, IssuedCredentials>();
  return {
    get: (accessKeyId) => (accessKeyId ? issued.get(accessKeyId) : undefined),
    isExpired(accessKeyId, now = Date.now()) {
      const expiresAt = accessKeyId ? issued.get(accessKeyId)?.expiresAt : undefined;
      return expiresAt !== undefined && now >= expiresAt;
    },
    learn(action, body, lifetimeSeconds, now = Date.now(), call) {
      const accessKeyId = element(body, 'AccessKeyId');
      const secretAccessKey = element(body, 'SecretAccessKey');
      if (!accessKeyId || !secretAccessKey) return body;
      let expiration = element(body, 'Expiration');
      if (expiration !== undefined && lifetimeSeconds !== undefined) {
        // Whole seconds, rounded up: the key lives at least `lifetimeSeconds`.
        expiration = awsTimestamp(Math.ceil((now + lifetimeSeconds * 1000) / 1000) * 1000);
        body = body.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${expiration}</Expiration>`);
      }
      // moto's own Expiration is honoured too: AWS refuses a key once the time it was given has passed.
      const expiresAt = expiration === undefined ? undefined : Date.parse(expiration);
      issued.set(accessKeyId, {
        accessKeyId,
        secretAccessKey,
        sessionToken: element(body, 'SessionToken'),
        expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
        roleSession: ROLE_SESSION_ACTIONS.has(action),
        action,
        arn: element(body, 'Arn'),
        ...call,
      });
      return body;
    },
  };
}

/** AWS's cap on DurationSeconds when a role session assumes a role. */
export const ROLE_CHAINING_LIMIT_SECONDS = 3600;

/**
 * The ValidationError message AWS gives an AssumeRole that moto accepted, or undefined when AWS
 * would accept it too. `maxSessionDuration` reads the role's setting (undefined: unknown role).
 */
export async function assumeRoleRefusal(
  params: URLSearchParams,
  signedBy: IssuedCredentials | undefined,
  maxSessionDuration: (roleName: string) => Promise<number | undefined>,
): Promise<string | undefined> {
  const requested = params.get('DurationSeconds');
  if (requested === null) return undefined; // the default, 3600, fits every role and every chain
  const seconds = Number(requested);
  if (signedBy?.roleSession && seconds > ROLE_CHAINING_LIMIT_SECONDS) {
    return 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
  }
  const roleName = params.get('RoleArn')?.split('/').pop();
  const max = roleName ? await maxSessionDuration(roleName) : undefined;
  if (max !== undefined && seconds > max) {
    return 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
  }
  return undefined;
}
