import { awsErrorCode, TempcredsError } from '../errors.js';

/** What {@link explainAwsError} names in its message and fix. */
export interface ExplainContext {
  /** What we were doing, e.g. `AssumeRole arn:aws:iam::1:role/x`. */
  action: string;
  /** The profile whose keys signed the call, to name it in the fix. */
  profile?: string;
  /** The region of the call: named when a key is unknown there or STS is not active in it. */
  region?: string;
}

/** Network failures the SDK surfaces with a Node error code rather than an AWS one. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);

/**
 * Turns an AWS SDK error into a TempcredsError that says, in AWS's own terms, what was refused
 * and how to fix it. Anything that is already a TempcredsError passes through unchanged.
 */
export function explainAwsError(err: unknown, ctx: ExplainContext): TempcredsError {
  if (err instanceof TempcredsError) return err;
  const code = awsErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const profile = ctx.profile ? ` of profile ${ctx.profile}` : '';
  const aws = (fix: string) =>
    new TempcredsError(`${ctx.action} failed: ${code}: ${message}`, {
      kind: 'aws',
      awsCode: code,
      fix,
      cause: err,
    });
  switch (code) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      return aws(
        'The caller lacks the permission, or the role does not trust it. Run: tempcreds doctor ROLE --source-profile PROFILE',
      );
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
      return aws(
        `AWS does not know the access key${profile}: it was deleted, or it belongs to another partition (China keys need a cn-* region${ctx.region ? `; region is ${ctx.region}` : ''}).`,
      );
    case 'SignatureDoesNotMatch':
      return aws(`The secret key${profile} is wrong, or this machine's clock is off: check both.`);
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return aws(`The session token${profile} has expired: get new credentials (tempcreds assume ROLE).`);
    case 'RegionDisabledException':
      return aws(
        `STS is not active in ${ctx.region ?? 'this region'} for the account: activate it in IAM account settings, or use another --region.`,
      );
    default:
      break;
  }
  const nodeCode = (err as { code?: unknown })?.code;
  if (typeof nodeCode === 'string' && NETWORK_CODES.has(nodeCode)) {
    return new TempcredsError(`${ctx.action} failed: cannot reach AWS (${nodeCode}).`, {
      kind: 'failed',
      fix: 'Check the network, --region and --endpoint-url.',
      cause: err,
    });
  }
  if (code) return aws('See the AWS message above.');
  return new TempcredsError(`${ctx.action} failed: ${message}`, { kind: 'failed', cause: err });
}
