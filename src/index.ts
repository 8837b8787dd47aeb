/**
 * tempcreds as a library: everything the CLI does, with its side effects (clients, files, clock,
 * prompts, output) passed in. The CLI in `src/cli` is a thin layer over these functions.
 */
export { TempcredsError, usageError, type ErrorKind, type TempcredsErrorOptions } from './errors.js';
export {
  partitionOfRegion,
  stsEndpoint,
  dnsSuffix,
  defaultRegionOf,
  type Partition,
} from './aws/partition.js';
export { parseArn, parseRoleRef, roleArnOf, userArnOf, type Arn, type RoleRef } from './aws/arn.js';
export {
  clientConfig,
  endpointOverride,
  type AwsContext,
  type ClientConfig,
  type ServiceId,
} from './aws/clients.js';
export { explainAwsError, type ExplainContext } from './aws/explain.js';
export {
  AdaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
  type ConcurrencyChange,
  type ConcurrencyReason,
} from './aws/adaptiveConcurrency.js';
export { ThrottleReports, reportThrottling } from './aws/throttleReports.js';
export { createStsClient, getCallerIdentity, type CallerIdentity } from './aws/sts.js';
export * from './config/index.js';
export * from './credentials/index.js';
export { childEnv, CREDENTIAL_VARIABLES } from './exec/childEnv.js';
export { runCommand, signalExitCode, type ChildResult } from './exec/runCommand.js';
export * from './firehose/index.js';
export * from './console/index.js';
export * from './s3/index.js';
export * from './iam/index.js';
export * from './iot/index.js';
export * from './agent/index.js';
