/** What setup, teardown, role and doctor read from IAM, with "does not exist" as undefined. */
import { iamSdk } from '../aws/sdk.js';

const {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
} = iamSdk();
import type { IAMClient } from '@aws-sdk/client-iam';
import { clientConfig, type AwsContext } from '../aws/clients.js';
import { explainAwsError } from '../aws/explain.js';
import { awsErrorCode } from '../errors.js';
import {
  normalizePolicy,
  parsePolicyText,
  type NamedPolicy,
  type RawPolicyDocument,
} from './policyDocument.js';

/** The part of an IAM client the library uses: tests and library users may pass their own. */
export type Iam = Pick<IAMClient, 'send'>;

/** An IAM client for `ctx` (endpoint override honoured), with 3 attempts so transient errors are retried. */
export function createIamClient(ctx: AwsContext): IAMClient {
  return new (iamSdk().IAMClient)({ ...clientConfig('iam', ctx), maxAttempts: 3 });
}

export function isNoSuchEntity(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

/** Runs one IAM call; NoSuchEntity becomes undefined, anything else an explained error. */
export async function maybe<T>(action: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw explainAwsError(err, { action });
  }
}

/** Runs one IAM call; every failure becomes an explained error. */
export async function must<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explainAwsError(err, { action });
  }
}

/** Follows IAM's Marker/IsTruncated pages of one List call. */
async function allPages<O extends { Marker?: string; IsTruncated?: boolean }, T>(
  action: string,
  fetch: (marker: string | undefined) => Promise<O>,
  items: (page: O) => T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await must(action, () => fetch(marker));
    out.push(...(items(page) ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** A role as iam:GetRole returns it. */
export interface RoleInfo {
  /** The role's ARN, path included. */
  arn: string;
  /** The role's name, without its path. */
  name: string;
  /** `/` unless the role was created with a path (`/path/`). */
  path: string;
  /** `MaxSessionDuration` in seconds (3600 to 43200; 3600 unless changed). */
  maxSessionDuration: number;
  /** The trust policy (`AssumeRolePolicyDocument`), decoded, as written. */
  trust: RawPolicyDocument;
}

export async function getRole(iam: Iam, roleName: string): Promise<RoleInfo | undefined> {
  const out = await maybe(`GetRole ${roleName}`, () => iam.send(new GetRoleCommand({ RoleName: roleName })));
  const role = out?.Role;
  if (!role) return undefined;
  return {
    arn: role.Arn ?? '',
    name: role.RoleName ?? roleName,
    path: role.Path ?? '/',
    maxSessionDuration: role.MaxSessionDuration ?? 3600,
    trust: parsePolicyText(role.AssumeRolePolicyDocument ?? '', `role ${roleName}`),
  };
}

export interface UserInfo {
  arn: string;
  userId: string;
  permissionsBoundaryArn?: string;
}

export async function getUser(iam: Iam, userName: string): Promise<UserInfo | undefined> {
  const out = await maybe(`GetUser ${userName}`, () => iam.send(new GetUserCommand({ UserName: userName })));
  if (!out?.User) return undefined;
  return {
    arn: out.User.Arn ?? '',
    userId: out.User.UserId ?? '',
    permissionsBoundaryArn: out.User.PermissionsBoundary?.PermissionsBoundaryArn,
  };
}

/** The default version's document of a managed policy, or undefined when there is no such policy. */
export async function getPolicyDocument(iam: Iam, policyArn: string): Promise<RawPolicyDocument | undefined> {
  const policy = await maybe(`GetPolicy ${policyArn}`, () =>
    iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
  );
  const versionId = policy?.Policy?.DefaultVersionId;
  if (!versionId) return undefined;
  const version = await maybe(`GetPolicyVersion ${policyArn}`, () =>
    iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })),
  );
  const text = version?.PolicyVersion?.Document;
  return text === undefined ? undefined : parsePolicyText(text, `policy ${policyArn}`);
}

/** One access key of a user, as iam:ListAccessKeys returns it (the secret is never readable again). */
export interface AccessKeyInfo {
  /** `AKIA...` */
  accessKeyId: string;
  /** `Active` or `Inactive`. */
  status: string;
}

export function listAccessKeys(iam: Iam, userName: string): Promise<AccessKeyInfo[]> {
  return allPages(
    `ListAccessKeys ${userName}`,
    (Marker) => iam.send(new ListAccessKeysCommand({ UserName: userName, Marker })),
    (page) =>
      page.AccessKeyMetadata?.map((k) => ({ accessKeyId: k.AccessKeyId ?? '', status: k.Status ?? '' })),
  );
}

export function listAttachedUserPolicyArns(iam: Iam, userName: string): Promise<string[]> {
  return allPages(
    `ListAttachedUserPolicies ${userName}`,
    (Marker) => iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, Marker })),
    (page) => page.AttachedPolicies?.map((p) => p.PolicyArn ?? ''),
  );
}

export function listUserPolicyNames(iam: Iam, userName: string): Promise<string[]> {
  return allPages(
    `ListUserPolicies ${userName}`,
    (Marker) => iam.send(new ListUserPoliciesCommand({ UserName: userName, Marker })),
    (page) => page.PolicyNames,
  );
}

export function listGroupsForUser(iam: Iam, userName: string): Promise<string[]> {
  return allPages(
    `ListGroupsForUser ${userName}`,
    (Marker) => iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker })),
    (page) => page.Groups?.map((g) => g.GroupName ?? ''),
  );
}

/** Users, groups and roles a managed policy is attached to, as `user/NAME`, `group/NAME`, `role/NAME`. */
export function listPolicyEntities(iam: Iam, policyArn: string): Promise<string[]> {
  return allPages(
    `ListEntitiesForPolicy ${policyArn}`,
    (Marker) => iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn, Marker })),
    (page) => [
      ...(page.PolicyUsers ?? []).map((u) => `user/${u.UserName}`),
      ...(page.PolicyGroups ?? []).map((g) => `group/${g.GroupName}`),
      ...(page.PolicyRoles ?? []).map((r) => `role/${r.RoleName}`),
    ],
  );
}

export interface IdentityPolicies {
  policies: NamedPolicy[];
  /** Attached policies that could not be read (e.g. AWS managed policies a local AWS does not load). */
  unreadable: string[];
  permissionsBoundary?: NamedPolicy;
}

/** Every identity policy that applies to an IAM user: attached, inline, and those of its groups. */
export async function userIdentityPolicies(
  iam: Iam,
  userName: string,
  user?: UserInfo,
): Promise<IdentityPolicies> {
  const result: IdentityPolicies = { policies: [], unreadable: [] };
  const managed = async (arn: string, owner: string) => {
    const doc = await getPolicyDocument(iam, arn);
    if (doc)
      result.policies.push({ name: `${arn} (attached to ${owner})`, document: normalizePolicy(doc, arn) });
    else result.unreadable.push(arn);
  };
  const inline = (name: string, owner: string, text: string | undefined) =>
    result.policies.push({
      name: `inline ${name} of ${owner}`,
      document: normalizePolicy(text ?? '', `inline ${name}`),
    });

  for (const arn of await listAttachedUserPolicyArns(iam, userName)) await managed(arn, `user ${userName}`);
  for (const name of await listUserPolicyNames(iam, userName)) {
    const out = await must(`GetUserPolicy ${name}`, () =>
      iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name })),
    );
    inline(name, `user ${userName}`, out.PolicyDocument);
  }
  for (const group of await listGroupsForUser(iam, userName)) {
    const attached = await allPages(
      `ListAttachedGroupPolicies ${group}`,
      (Marker) => iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group, Marker })),
      (page) => page.AttachedPolicies?.map((p) => p.PolicyArn ?? ''),
    );
    for (const arn of attached) await managed(arn, `group ${group}`);
    const names = await allPages(
      `ListGroupPolicies ${group}`,
      (Marker) => iam.send(new ListGroupPoliciesCommand({ GroupName: group, Marker })),
      (page) => page.PolicyNames,
    );
    for (const name of names) {
      const out = await must(`GetGroupPolicy ${name}`, () =>
        iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: name })),
      );
      inline(name, `group ${group}`, out.PolicyDocument);
    }
  }
  const boundaryArn = user?.permissionsBoundaryArn;
  if (boundaryArn) {
    const doc = await getPolicyDocument(iam, boundaryArn);
    if (doc) result.permissionsBoundary = { name: boundaryArn, document: normalizePolicy(doc, boundaryArn) };
    else result.unreadable.push(boundaryArn);
  }
  return result;
}
