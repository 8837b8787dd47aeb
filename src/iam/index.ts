/** IAM: the runbook's setup (plan, apply, teardown), key rotation, role settings, the doctor, and the policy evaluator. */
export {
  parsePolicyText,
  normalizePolicy,
  sameDocument,
  type JsonValue,
  type RawPolicyDocument,
  type RawStatement,
  type PolicyDocument,
  type Statement,
  type Principals,
  type Conditions,
  type NamedPolicy,
} from './policyDocument.js';
export { wildcardMatch, actionMatches, arnMatches } from './patterns.js';
export { type RequestContext, type ConditionFailure } from './conditions.js';
export {
  evaluatePolicy,
  evaluatePolicies,
  evaluateAssumeRole,
  type AuthorizationRequest,
  type PolicyKind,
  type PrincipalMatch,
  type Decision,
  type StatementEvaluation,
  type PolicyEvaluation,
  type AssumeRoleQuestion,
  type AssumeRoleEvaluation,
} from './evaluate.js';
export {
  addTrustedPrincipal,
  removeTrustedPrincipal,
  newTrustPolicy,
  type PrincipalType,
  type TrustEdit,
  type TrustRemoval,
} from './trustMerge.js';
export {
  runbookPolicyDocument,
  DEFAULT_POLICY_NAME,
  DEFAULT_USER_NAME,
  DEFAULT_SOURCE_PROFILE,
} from './runbookPolicy.js';
export { validateUserName, validatePolicyName, parseMaxSessionDuration } from './names.js';
export { roleInAccount, ownRole, type RoleInAccount, type AccountRef } from './roleRef.js';
export { createIamClient, type Iam, type RoleInfo, type AccessKeyInfo } from './iamReads.js';
export { type KeyPair, type StsFor, type Sleep } from './accessKeys.js';
export {
  planSetup,
  pendingSteps,
  stepLabel,
  type SetupInput,
  type SetupState,
  type SetupPlan,
  type SetupStep,
  type SetupStepBase,
  type PlanState,
} from './setupPlan.js';
export {
  setup,
  observeSetup,
  applySetup,
  type SetupDeps,
  type SetupOptions,
  type SetupResult,
  type SetupEvent,
  type AppliedState,
} from './setup.js';
export {
  showRole,
  setMaxSessionDuration,
  trustedPrincipals,
  type RoleDeps,
  type RoleSummary,
  type TrustedPrincipal,
} from './role.js';
export {
  rotateKey,
  type RotateKeyInput,
  type RotateKeyDeps,
  type RotateKeyEvent,
  type RotateKeyResult,
} from './rotateKey.js';
export {
  planTeardown,
  observeTeardown,
  applyTeardown,
  teardownStepLabel,
  type TeardownInput,
  type TeardownState,
  type TeardownPlan,
  type TeardownStep,
  type TeardownStepBase,
  type TeardownPlanState,
  type TeardownDeps,
} from './teardown.js';
export {
  doctor,
  type DoctorInput,
  type DoctorDeps,
  type DoctorReport,
  type DoctorCheck,
  type SourceEnvironment,
} from './doctor.js';
