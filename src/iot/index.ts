/**
 * AWS IoT certificate credentials: a device's certificate as the source of role sessions (AWS IoT
 * Core's credentials provider), the IoT profile that records it, and the administrator's side
 * (`iot setup`, `iot teardown`, the doctor).
 */
export {
  fromIotCertificate,
  type FromIotCertificateInit,
  type IotSessionCredentials,
} from './fromIotCertificate.js';
export {
  IOT_SETTINGS,
  isIotProfile,
  parseIotProfile,
  iotProfileSettings,
  validateRoleAlias,
  validateThingName,
  type IotProfile,
} from './profile.js';
export { deviceProfileFromDir } from './deviceProfileFromDir.js';
export { readDeviceFiles, type DeviceFiles, type DeviceFileOptions } from './deviceFiles.js';
export {
  requestIotCredentials,
  type IotCredentials,
  type IotOutcome,
  type IotHttpOptions,
} from './credentialsEndpoint.js';
export { explainIotAnswer, type IotAnswer, type IotRefusal, type IotRequestContext } from './refusals.js';
export {
  createIotClient,
  type Iot,
  type CertificateInfo,
  type IotPolicyInfo,
  type RoleAliasInfo,
} from './iotReads.js';
export type { DeviceRecord, DeviceDirContents } from './deviceDir.js';
export { AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3, amazonRootCaBundle } from './amazonRootCa.js';
export { CREDENTIALS_PROVIDER_PRINCIPAL, roleAliasArn } from './iotPolicy.js';
export {
  iotSetup,
  observeIotSetup,
  applyIotSetup,
  type IotSetupDeps,
  type IotSetupOptions,
  type IotSetupResult,
  type IotSetupEvent,
  type IotAppliedState,
} from './setup.js';
export {
  planIotSetup,
  iotStepLabel,
  pendingIotSteps,
  type IotSetupInput,
  type IotSetupState,
  type IotSetupPlan,
  type IotSetupStep,
  type IotSetupStepBase,
  type IotPlanState,
  type CertificateSource,
  type KnownCertificate,
} from './setupPlan.js';
export {
  planTeardownOfThing,
  observeIotTeardown,
  applyIotTeardown,
  type IotTeardownDeps,
} from './teardown.js';
export {
  planIotTeardown,
  iotTeardownStepLabel,
  type IotTeardownInput,
  type IotTeardownState,
  type IotTeardownPlan,
  type IotTeardownStep,
  type IotTeardownStepBase,
  type IotTeardownPlanState,
  type ThingCertificate,
} from './teardownPlan.js';
export { iotDoctor, type IotDoctorDeps, type IotDoctorReport } from './doctor.js';
