import type { AwsCredentialIdentity } from '@smithy/types';
import type { STSClient } from '@aws-sdk/client-sts';
import { explainAwsError } from '../aws/explain.js';
import { awsErrorCode, TempcredsError, usageError } from '../errors.js';
import { parseTokenCode } from './mfa.js';
import { MAX_DURATION_SECONDS, ROLE_CHAINING_MAX_SECONDS, type DurationRequest } from './duration.js';
import { stsSdk } from '../aws/sdk.js';
import { sessionCredentialsOf } from '../aws/stsCredentials.js';
import { explainSessionRefusal, type SessionShape } from './sessionRefusals.js';

const { AssumeRoleCommand } = stsSdk();

/**
 * Inputs of sts:AssumeRole, in AWS's names, sent as they are (check user input first with
 * `parseAssumeRoleRequest`).
 */
export interface AssumeRoleInput extends SessionShape {
  /** `RoleArn`: the role to assume. */
  roleArn: string;
  /** `RoleSessionName`: shown in CloudTrail and in the session's ARN (2..64 of `[\w+=,.@-]`). */
  roleSessionName: string;
  /** Seconds, or `max` for the longest the role allows. Default: AWS's default (3600). */
  durationSeconds?: DurationRequest;
  /** `ExternalId`, when the role's trust policy requires `sts:ExternalId`. */
  externalId?: string;
  /** `SerialNumber`: the MFA device's ARN, when the trust policy requires MFA. */
  serialNumber?: string;
  /** `TokenCode`: the device's current six-digit code; asked for with `promptTokenCode` when absent. */
  tokenCode?: string;
}

/** The side effects of {@link assumeRole}. */
export interface AssumeRoleDeps {
  /** The STS client signing with the source credentials. */
  sts: Pick<STSClient, 'send'>;
  /** The signing credentials are themselves a role session: AWS caps the session at one hour. */
  roleChaining?: boolean;
  /** Asks for the MFA code when `serialNumber` is set without `tokenCode`. */
  promptTokenCode?: (serialNumber: string) => Promise<string>;
  /** Told when AWS grants less than asked (role chaining's one hour). */
  warn?: (message: string) => void;
  /** For error messages: the profile that signs. */
  sourceProfile?: string;
  /** For error messages: the region STS was called in. */
  region?: string;
}

/** What sts:AssumeRole granted. */
export interface AssumedRole {
  /** The session's keys, token and expiry. */
  credentials: Required<Pick<AwsCredentialIdentity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>> & {
    expiration: Date;
  };
  /** `AssumedRoleUser`: `AROA...:session` and `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  assumedRoleUser: { assumedRoleId: string; arn: string };
  /** The session length AWS granted. */
  durationSeconds: number;
}

const MAX_SESSION_EXCEEDED = /exceeds the MaxSessionDuration/i;
const CHAINING_EXCEEDED = /session limit for roles assumed by role chaining/i;
/** Granularity of the `max` search: whole hours first, then refined to 15 minutes. */
const HOUR = 3600;
const QUARTER = 900;

/**
 * sts:AssumeRole with the rules users trip over handled: `max` finds the longest session the
 * role allows (AWS does not say what it is, so step down until AWS accepts), role chaining is
 * capped at one hour with a warning, and an MFA code is asked for when missing.
 */
export async function assumeRole(input: AssumeRoleInput, deps: AssumeRoleDeps): Promise<AssumedRole> {
  const tokenCode = await resolveTokenCode(input, deps);
  const chained = deps.roleChaining ?? false;
  let requested = input.durationSeconds;
  if (chained && (requested === 'max' || (requested ?? 0) > ROLE_CHAINING_MAX_SECONDS)) {
    if (requested !== 'max') {
      deps.warn?.(
        `The source credentials are a role session (role chaining): AWS caps the session at 3600 seconds, not ${requested}.`,
      );
    }
    requested = ROLE_CHAINING_MAX_SECONDS;
  }

  const call = async (durationSeconds: number | undefined): Promise<AssumedRole> => {
    const out = await deps.sts.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.roleSessionName,
        DurationSeconds: durationSeconds,
        ExternalId: input.externalId,
        SerialNumber: input.serialNumber,
        TokenCode: tokenCode,
        Tags: input.tags?.map((t) => ({ Key: t.key, Value: t.value })),
        TransitiveTagKeys: input.transitiveTagKeys?.slice(),
        SourceIdentity: input.sourceIdentity,
        Policy: input.policy,
        PolicyArns: input.policyArns?.map((arn) => ({ arn })),
      }),
    );
    return {
      credentials: sessionCredentialsOf(out.Credentials, `AssumeRole ${input.roleArn}`),
      assumedRoleUser: {
        assumedRoleId: out.AssumedRoleUser?.AssumedRoleId ?? '',
        arn: out.AssumedRoleUser?.Arn ?? '',
      },
      durationSeconds: durationSeconds ?? HOUR,
    };
  };

  const explain = (err: unknown) =>
    explainSessionRefusal(err, input, `AssumeRole ${input.roleArn}`) ??
    explainAwsError(err, {
      action: `AssumeRole ${input.roleArn}`,
      profile: deps.sourceProfile,
      region: deps.region,
    });

  if (requested !== 'max') {
    try {
      return await call(requested);
    } catch (err) {
      throw explainDuration(err, requested, input.roleArn) ?? explain(err);
    }
  }
  return assumeLongest(call, explain);
}

/** `max`: try 12h, 11h, ... 1h; then refine upward in 15-minute steps between the last accepted and refused. */
async function assumeLongest(
  call: (durationSeconds: number) => Promise<AssumedRole>,
  explain: (err: unknown) => TempcredsError,
): Promise<AssumedRole> {
  let refused = MAX_DURATION_SECONDS + QUARTER;
  let accepted: AssumedRole | undefined;
  for (let seconds = MAX_DURATION_SECONDS; seconds >= HOUR && !accepted; seconds -= HOUR) {
    try {
      accepted = await call(seconds);
    } catch (err) {
      if (!isDurationRefusal(err)) throw explain(err);
      refused = seconds;
    }
  }
  if (!accepted) throw explain(new Error('AWS refused every session length from 12h down to 1h.'));
  while (refused - accepted.durationSeconds > QUARTER) {
    const mid =
      accepted.durationSeconds + Math.floor((refused - accepted.durationSeconds) / 2 / QUARTER) * QUARTER;
    try {
      accepted = await call(mid);
    } catch (err) {
      if (!isDurationRefusal(err)) throw explain(err);
      refused = mid;
    }
  }
  return accepted;
}

function isDurationRefusal(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return (
    awsErrorCode(err) === 'ValidationError' &&
    (MAX_SESSION_EXCEEDED.test(message) || CHAINING_EXCEEDED.test(message))
  );
}

function explainDuration(
  err: unknown,
  requested: number | undefined,
  roleArn: string,
): TempcredsError | undefined {
  if (!isDurationRefusal(err)) return undefined;
  const message = (err as Error).message;
  const roleName = roleArn.split('/').pop();
  const fix = CHAINING_EXCEEDED.test(message)
    ? 'Sessions assumed with role-session credentials last at most 1h: use --duration 1h, or sign with user keys.'
    : `Use --duration max for the longest session the role allows, or raise it (administrator): tempcreds role set-max-duration ${roleName} ${requested}`;
  return new TempcredsError(`AWS refused DurationSeconds=${requested}: ${message}`, {
    kind: 'aws',
    awsCode: 'ValidationError',
    fix,
    cause: err,
  });
}

/**
 * The code to send: the one given, else one asked for (checked here, where it is typed in). The
 * inputs themselves were checked once, by `parseAssumeRoleRequest`.
 */
async function resolveTokenCode(input: AssumeRoleInput, deps: AssumeRoleDeps): Promise<string | undefined> {
  if (!input.serialNumber || input.tokenCode !== undefined) return input.tokenCode;
  if (!deps.promptTokenCode) {
    throw usageError(
      `The role needs an MFA code for ${input.serialNumber}, and there is no terminal to ask on.`,
      'Pass the current code (TokenCode) with the request.',
    );
  }
  return parseTokenCode(await deps.promptTokenCode(input.serialNumber), 'The MFA code');
}
