import type { RawPolicyDocument } from './policyDocument.js';

/** The runbook's name for the customer managed policy of step 1 (sts:AssumeRole and nothing else). */
export const DEFAULT_POLICY_NAME = 'STSAssumeRolePolicy';
/** The runbook's name for the assume-only IAM user of step 2. */
export const DEFAULT_USER_NAME = 'sts_user';
/** The runbook's profile for that user's access keys (step 3): the `source_profile` of role profiles. */
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
