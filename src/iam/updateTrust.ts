import { iamSdk } from '../aws/sdk.js';
import { must, type Iam } from './iamReads.js';
import type { RawPolicyDocument } from './policyDocument.js';

const { UpdateAssumeRolePolicyCommand } = iamSdk();

/** Replaces a role's trust policy (UpdateAssumeRolePolicy), failures explained. */
export async function updateTrustPolicy(
  iam: Iam,
  roleName: string,
  document: RawPolicyDocument,
): Promise<void> {
  await must(`UpdateAssumeRolePolicy ${roleName}`, () =>
    iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(document) }),
    ),
  );
}
