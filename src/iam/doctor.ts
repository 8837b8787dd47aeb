/**
 * `tempcreds doctor`: why assuming a role fails, check by check, ending with a real AssumeRole.
 * It never changes anything. Checks run in order; a check whose premise failed is skipped.
 */
import type { AwsContext } from '../aws/clients.js';
import type { RoleRef } from '../aws/arn.js';
import { createStsClient, getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import { assumeRole } from '../credentials/assumeRole.js';
import { TempcredsError } from '../errors.js';
import {
  checkKeys,
  checkPartition,
  checkProfile,
  fail,
  ok,
  skip,
  type DoctorCheck,
  type ResolvedSource,
  type SourceEnvironment,
} from './doctorKeys.js';
import { checkWithAdmin } from './doctorIam.js';
import { sessionOptionsCheck } from './doctorSession.js';
import { sessionActions, type SessionShape } from '../credentials/sessionRefusals.js';
import { assumeRoleContext } from './evaluate.js';
import { createIamClient, type Iam } from './iamReads.js';
import { roleInAccount, type RoleInAccount } from './roleRef.js';

export type { DoctorCheck, SourceEnvironment } from './doctorKeys.js';

/** What {@link doctor} checks: whether `sourceProfile` can assume `role`. */
export interface DoctorInput {
  /** Role name or ARN, or the reference parseRoleRef made of one (then it is not parsed again). */
  role: string | RoleRef;
  /** Default: AWS_PROFILE, then `default` (as for `assume`). */
  sourceProfile?: string;
  /** Seconds to ask for (default 3600, AWS's default). */
  durationSeconds?: number;
  /** The `sts:ExternalId` to send, when the trust policy requires one. */
  externalId?: string;
  /** Session tags, SourceIdentity and session policies to send (and to check the trust for). */
  session?: Omit<SessionShape, 'roleArn'>;
}

/** The doctor's side effects: the files and environment of the source profile, and administrator access. */
export interface DoctorDeps extends SourceEnvironment {
  /** Administrator credentials (`--admin-profile`): enables the IAM checks. */
  admin?: AwsContext;
  /** The IAM client for the administrator's checks (default: one for `admin`). */
  iam?: Iam;
  /** The clock, for `aws:CurrentTime` in conditions and the session name (default: the system clock). */
  now?: () => Date;
  /** Each check as soon as it is known. */
  onCheck?: (check: DoctorCheck) => void;
}

/** Every check's outcome and whether the real AssumeRole worked. */
export interface DoctorReport {
  /** The role's ARN, when the role could be placed in an account. */
  roleArn?: string;
  /** Every check, in the order run, skipped ones included. */
  checks: DoctorCheck[];
  /** The real AssumeRole succeeded: the only way doctor passes. */
  assumed: boolean;
}

const ADMIN_CHECKS = ['role', 'identity policy', 'trust', 'duration'];

async function adminIdentity(admin: AwsContext): Promise<CallerIdentity | TempcredsError> {
  try {
    return await getCallerIdentity(createStsClient(admin));
  } catch (err) {
    return err instanceof TempcredsError ? err : new TempcredsError(String(err), { kind: 'failed' });
  }
}

/** Check 5: the real AssumeRole, with AWS's answer interpreted against the checks before it. */
async function checkAssumeRole(
  resolved: ResolvedSource,
  roleArn: string,
  input: DoctorInput,
  deps: DoctorDeps,
  earlier: DoctorCheck[],
): Promise<DoctorCheck> {
  const now = deps.now?.() ?? new Date();
  const sts = createStsClient({
    region: resolved.region,
    endpointUrl: deps.endpointUrl,
    credentials: resolved.source.credentials,
    env: deps.env,
  });
  try {
    const session = await assumeRole(
      {
        roleArn,
        roleSessionName: `tempcreds-doctor-${Math.floor(now.getTime() / 1000)}`,
        durationSeconds: input.durationSeconds,
        externalId: input.externalId,
        ...input.session,
      },
      {
        sts,
        sourceProfile: resolved.source.profile,
        region: resolved.region,
        roleChaining: resolved.source.roleSession,
      },
    );
    const failed = earlier.filter((c) => c.status === 'fail').map((c) => c.name);
    const despite = failed.length
      ? ` (although the ${failed.join(', ')} check${failed.length > 1 ? 's' : ''} failed)`
      : '';
    return ok(
      'assume role',
      `AWS issued ${session.assumedRoleUser.arn} until ${session.credentials.expiration.toISOString()}${despite}`,
    );
  } catch (err) {
    const e =
      err instanceof TempcredsError ? err : new TempcredsError(String(err), { kind: 'failed', cause: err });
    const failed = earlier.filter((c) => c.status === 'fail');
    const skipped = earlier.some((c) => ADMIN_CHECKS.includes(c.name) && c.status === 'skip');
    const why = failed.length
      ? `see the failed ${failed.map((c) => c.name).join(', ')} check${failed.length > 1 ? 's' : ''} above.`
      : skipped
        ? 'AWS gives the same AccessDenied for a missing permission, a trust that does not name the user and a missing role: run doctor again with --admin-profile to tell them apart.'
        : 'none of the checks above explains it: look for a permissions boundary, a service control policy, or a condition this check cannot see.';
    return fail(
      'assume role',
      `AWS refused: ${e.awsCode ?? e.kind}`,
      `${e.message} — ${why}`,
      failed[0]?.fix ?? e.fix,
    );
  }
}

/** Checks 1–3: the source profile, its keys, and the region's partition. */
async function checkSource(
  input: DoctorInput,
  deps: DoctorDeps,
  add: (...checks: DoctorCheck[]) => void,
): Promise<{ resolved?: ResolvedSource; identity?: CallerIdentity }> {
  const profile = await checkProfile(input.sourceProfile, deps);
  add(profile.check);
  const resolved = profile.resolved;
  let identity: CallerIdentity | undefined;
  if (resolved) {
    const keys = await checkKeys(resolved, deps);
    add(keys.check);
    identity = keys.identity;
  } else {
    add(skip('keys', 'needs a usable profile'));
  }
  add(
    identity && resolved
      ? checkPartition(resolved.region, identity)
      : skip('partition', 'needs working keys'),
  );
  return { resolved, identity };
}

interface AdminView {
  input: DoctorInput;
  deps: DoctorDeps;
  admin: CallerIdentity | TempcredsError | undefined;
  placed: RoleInAccount | undefined;
  resolved: ResolvedSource | undefined;
  identity: CallerIdentity | undefined;
}

/** Check 4 and the session options, as IAM holds them (with --admin-profile); true when the role does not exist. */
async function checkAsAdmin(view: AdminView, add: (...checks: DoctorCheck[]) => void): Promise<boolean> {
  const { input, deps, admin, placed, resolved, identity } = view;
  if (!deps.admin || !admin) {
    add(...ADMIN_CHECKS.map((name) => skip(name, 'needs --admin-profile (the source user cannot read IAM)')));
    return false;
  }
  if (admin instanceof TempcredsError) {
    add(
      fail('role', 'the --admin-profile credentials do not work', admin.message, admin.fix),
      ...ADMIN_CHECKS.slice(1).map((n) => skip(n, 'needs administrator credentials')),
    );
    return false;
  }
  if (
    !placed ||
    roleInAccount(input.role, { accountId: admin.account, partition: admin.partition }).foreign
  ) {
    add(
      ...ADMIN_CHECKS.map((name) =>
        skip(name, `the role is not in the account of --admin-profile (${admin.account})`),
      ),
    );
    return false;
  }
  const context = assumeRoleContext({
    callerArn: identity?.arn ?? '',
    userId: identity?.userId,
    region: resolved?.region ?? deps.admin.region,
    roleSessionName: 'tempcreds-doctor',
    externalId: input.externalId,
    now: deps.now?.(),
  });
  const result = await checkWithAdmin({
    iam: deps.iam ?? createIamClient(deps.admin),
    roleName: placed.roleName,
    roleArn: placed.roleArn,
    identity,
    context,
    durationSeconds: input.durationSeconds ?? 3600,
    adminProfile: deps.adminProfile ?? 'ADMIN',
  });
  add(...result.checks);
  const session =
    result.role && identity && sessionOptionsCheck(result.role, identity.arn, input.session ?? {}, context);
  if (session) add(session);
  return result.roleMissing;
}

/**
 * Finds out why `input.sourceProfile` cannot assume `input.role`, check by check, and ends with a
 * real AssumeRole. It never changes anything. With `deps.admin`, it also reads the role, the
 * user's policies and the trust from IAM and evaluates them locally, to name the statement or
 * condition that refuses. What is wrong comes back as a failed check with its cause and fix.
 */
export async function doctor(input: DoctorInput, deps: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (...more: DoctorCheck[]) => {
    for (const check of more) {
      checks.push(check);
      deps.onCheck?.(check);
    }
  };
  const { resolved, identity } = await checkSource(input, deps, add);
  const admin = deps.admin && (await adminIdentity(deps.admin));
  const account = identity ?? (admin instanceof TempcredsError ? undefined : admin);
  const placed = account
    ? roleInAccount(input.role, { accountId: account.account, partition: account.partition })
    : undefined;
  const roleArn = placed?.roleArn;
  const roleMissing = await checkAsAdmin({ input, deps, admin, placed, resolved, identity }, add);
  if (
    sessionActions({ ...input.session, roleArn: '' }).length > 0 &&
    !checks.some((c) => c.name === 'session options')
  ) {
    add(skip('session options', 'needs --admin-profile and working keys (to read the trust policy)'));
  }
  if (!resolved || !identity || !roleArn) {
    add(skip('assume role', 'needs working keys'));
  } else if (roleMissing) {
    add(
      fail(
        'assume role',
        'not attempted',
        `role ${placed?.roleName} does not exist, so AWS can only refuse.`,
        checks.find((c) => c.name === 'role')?.fix,
      ),
    );
  } else {
    add(await checkAssumeRole(resolved, roleArn, input, deps, [...checks]));
  }
  const assumed = checks.some((c) => c.name === 'assume role' && c.status === 'ok');
  return { roleArn, checks, assumed };
}
