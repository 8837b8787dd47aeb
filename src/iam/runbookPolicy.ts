import type { RawPolicyDocument } from './policyDocument.js';

/** The runbook's default names (steps 1–3). */
export const DEFAULT_POLICY_NAME = 'STSAssumeRolePolicy';
export const DEFAULT_USER_NAME = 'sts_user';
export const DEFAULT_SOURCE_PROFILE = 'sts_user';

/**
 * Step 1's document, exactly as the runbook has it (Sid included): the user may assume roles and
 * nothing else. The unsigned SAML / web-identity actions are kept because the runbook lists them.
 */
export function runbookPolicyDocument(): RawPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'VisualEditor0',
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'],
        Resource: '*',
      },
    ],
  };
}
