/**
 * Session credentials the AWS console federation endpoint accepts, got the way AWS requires for
 * each kind of source: a role assumed now (its console session as long as asked only when an IAM
 * user's long-term keys assume it), an existing role or federation session as it is, or, for
 * long-lived user keys, a federation token (sts:GetFederationToken).
 */
import { parseArn } from '../aws/arn.js';
import { defaultRegionOf, partitionOfRegion, type Partition } from '../aws/partition.js';
import { createStsClient, getCallerIdentity } from '../aws/sts.js';
import { readProfile } from '../config/profiles.js';
import { usageError } from '../errors.js';
import type { AssumeRoleRequest } from '../credentials/assumeRoleRequest.js';
import { MAX_DURATION_SECONDS, type DurationRequest } from '../credentials/duration.js';
import { startRoleSession, type StsClientFactory } from '../credentials/roleSession.js';
import { kindOf, regionFrom, resolveSource } from '../credentials/sources.js';
import { roleProfile, roleProfileRequest, signingSource } from '../credentials/sources/roleProfile.js';
import type { Source, SourceInit } from '../credentials/sources/types.js';
import type { FederationSession } from './federation.js';
import { getFederationToken } from './federationToken.js';

/** How the session was made: it decides what getSigninToken accepts, and how a refusal is explained. */
export type SessionOrigin =
  /** tempcreds assumed the role now, signed with an IAM user's long-term keys. */
  | 'AssumeRole'
  /** tempcreds assumed the role now, signed with temporary credentials (role chaining, SSO, ...). */
  | 'AssumeRoleWithTemporaryCredentials'
  /** tempcreds got a federation token now, for long-lived user keys. */
  | 'GetFederationToken'
  /** A role session the profile already had (written session, SSO, IoT, process). */
  | 'RoleSession'
  /** A federation token the profile already had. */
  | 'FederationSession';

/** A session the federation endpoint takes, and what is known about it. */
export interface ConsoleCredentials {
  /** The session's keys, for getSigninToken only. */
  session: FederationSession;
  /** Who signs in: the assumed-role or federated-user ARN. */
  arn: string;
  /** The session's partition: which console, which sign-in host. */
  partition: Partition;
  /** The region the session was made in. */
  region: string;
  /** How the session was made. */
  origin: SessionOrigin;
  /** `SessionDuration` to send: only where AWS takes it and a length was asked for. */
  sessionDuration?: number;
  /** How long the console session lasts, when it is known. */
  consoleSeconds?: number;
}

/** Where console credentials come from. */
export interface ConsoleCredentialsOptions {
  /** The profile (or environment) to sign in from, as for any command; its prompts and warnings. */
  source: SourceInit;
  /** A role to assume from the source; without it, the profile's own session signs in. */
  request?: AssumeRoleRequest;
  /** The console session's length when there is no role to assume (a role's is in `request`). */
  durationSeconds?: DurationRequest;
  /** How STS clients are made (default the SDK's, configured as everywhere in tempcreds). */
  createSts?: StsClientFactory;
  /** The clock (default `new Date()`). */
  now?: () => Date;
}

/** Credentials for the console, from a role (`request`, or a role profile) or the profile's own session. */
export async function consoleCredentials(options: ConsoleCredentialsOptions): Promise<ConsoleCredentials> {
  if (options.request) return assumeForConsole(options, await resolveSource(options.source), options.request);
  const role = await roleOfProfile(options);
  if (role) return assumeForConsole(options, role.source, role.request);
  return profileSession(options);
}

/**
 * A role profile signs in as `console ROLE --source-profile SOURCE` does: tempcreds assumes the role
 * itself, so that the rules on DurationSeconds are kept (`--duration` wins over duration_seconds).
 */
async function roleOfProfile(
  options: ConsoleCredentialsOptions,
): Promise<{ source: Source; request: AssumeRoleRequest } | undefined> {
  const init = options.source;
  const env = init.env;
  if (!init.profile && !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    return undefined;
  const name = init.profile || env.AWS_PROFILE || 'default';
  const settings = (await readProfile(init.files, name))?.settings;
  if (!settings || kindOf(settings) !== roleProfile) return undefined;
  const fromProfile = roleProfileRequest(name, settings);
  const request =
    options.durationSeconds === undefined
      ? fromProfile
      : ({ ...fromProfile, durationSeconds: options.durationSeconds } as AssumeRoleRequest);
  const source = await signingSource({
    name,
    settings,
    fromProfile: (profile) => resolveSource({ ...init, profile }),
    fromEnvironment: () =>
      resolveSource({ ...init, profile: undefined, env: { ...env, AWS_PROFILE: undefined } }),
  });
  return { request, source: { ...source, region: regionFrom(init, settings.region) ?? source.region } };
}

/**
 * AWS's rule: a role session asked for with DurationSeconds signs in only when an IAM user's
 * long-term keys assumed it, and SessionDuration fails for one assumed with temporary credentials.
 * So from temporary credentials neither is sent, and the console session lasts the default hour.
 */
async function assumeForConsole(
  options: ConsoleCredentialsOptions,
  source: Source,
  request: AssumeRoleRequest,
): Promise<ConsoleCredentials> {
  const init = options.source;
  const longTerm = !(await source.credentials()).sessionToken;
  let asked = request;
  if (!longTerm && request.durationSeconds !== undefined) {
    const from = source.profile ? `profile ${source.profile}` : 'the environment';
    init.warn?.(
      `The credentials of ${from} are temporary: AWS signs a role assumed with them into the console only for the default 1 hour (without DurationSeconds), so the duration asked for (${request.durationSeconds}) is not used. Sign in from a profile with an IAM user's long-term keys for a longer console session.`,
    );
    asked = { ...request, durationSeconds: undefined } as AssumeRoleRequest;
  }
  const session = await startRoleSession({
    source,
    request: asked,
    createSts: options.createSts,
    promptTokenCode: init.promptTokenCode,
    warn: init.warn,
    endpointUrl: init.endpointUrl,
    env: init.env,
    now: options.now,
  });
  const { credentials, assumedRoleUser, durationSeconds } = session.first;
  return {
    session: credentials,
    arn: assumedRoleUser.arn,
    partition: parseArn(assumedRoleUser.arn)?.partition ?? partitionOfRegion(session.region),
    region: session.region,
    origin: longTerm ? 'AssumeRole' : 'AssumeRoleWithTemporaryCredentials',
    ...(longTerm && asked.durationSeconds !== undefined && { sessionDuration: durationSeconds }),
    consoleSeconds: durationSeconds,
  };
}

/** The profile's own credentials: a role or federation session as it is, long-lived keys through a federation token. */
async function profileSession(options: ConsoleCredentialsOptions): Promise<ConsoleCredentials> {
  const init = options.source;
  const source = await resolveSource(init);
  const credentials = await source.credentials();
  const region = source.region ?? defaultRegionOf('aws');
  const sts = (options.createSts ?? createStsClient)({
    region,
    endpointUrl: init.endpointUrl,
    credentials: source.credentials,
    env: init.env,
  });
  const identity = await getCallerIdentity(sts, source.profile, region);
  const base = { arn: identity.arn, partition: identity.partition, region };
  const asked = options.durationSeconds === 'max' ? MAX_DURATION_SECONDS : options.durationSeconds;
  const { sessionToken } = credentials;
  if (!sessionToken) {
    const seconds = asked ?? 3600;
    const token = await getFederationToken(sts, {
      userArn: identity.arn,
      durationSeconds: seconds,
      profile: source.profile,
      region,
    });
    return {
      ...base,
      session: token.credentials,
      arn: token.federatedUserArn,
      origin: 'GetFederationToken',
      consoleSeconds: seconds,
    };
  }
  const session = {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken,
  };
  if (/:assumed-role\//.test(identity.arn)) {
    return {
      ...base,
      session,
      origin: 'RoleSession',
      ...(asked !== undefined && { sessionDuration: asked, consoleSeconds: asked }),
    };
  }
  if (/:federated-user\//.test(identity.arn)) {
    if (asked !== undefined) {
      init.warn?.(
        `${identity.arn} is a federation token: its console session lasts as long as the token, so --duration is not used.`,
      );
    }
    return { ...base, session, origin: 'FederationSession' };
  }
  const from = source.profile ? `Profile ${source.profile}` : 'The environment';
  throw usageError(
    `${from} holds session keys of ${identity.arn} (sts:GetSessionToken): AWS signs only role sessions and federation tokens into the console.`,
    `Sign in to a role with them: tempcreds console ROLE${source.profile ? ` --source-profile ${source.profile}` : ''}, or use the user's own long-lived keys.`,
  );
}
