/** A role made by hand, as an administrator would: its trust statements and one inline policy. */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { LocalAws } from './localAws.js';

export interface TestRole {
  roleName: string;
  path?: string;
  maxSessionDuration?: number;
  /** The trust policy's statements. */
  trust: object[];
  /** The statements of its inline policy `work`. */
  permissions: object[];
}

/** Creates the role in moto as the administrator; returns its ARN. */
export async function createTestRole(aws: LocalAws, role: TestRole): Promise<string> {
  const iam = new IAMClient(aws.adminClientConfig());
  try {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: role.roleName,
        Path: role.path,
        MaxSessionDuration: role.maxSessionDuration,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: role.trust }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: role.roleName,
        PolicyName: 'work',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: role.permissions }),
      }),
    );
    return Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

/** A role `principal` may assume with session tags and a SourceIdentity, allowed to do everything. */
export function createTaggableRole(aws: LocalAws, roleName: string, principal: string): Promise<string> {
  return createTestRole(aws, {
    roleName,
    trust: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      },
    ],
    permissions: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
}
