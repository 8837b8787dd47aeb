import type { RegisterCommand } from '../command.js';
import { registerAssume } from './assume.js';
import { registerExec } from './exec.js';
import { registerConfigure } from './configure.js';
import { registerCredentialProcess } from './credentialProcess.js';
import { registerWhoami } from './whoami.js';
import { registerFirehose } from './firehose.js';
import { registerS3 } from './s3.js';
import { registerSetup } from './setup.js';
import { registerRole } from './role.js';
import { registerRotateKey } from './rotateKey.js';
import { registerTeardown } from './teardown.js';
import { registerDoctor } from './doctor.js';
import { registerIot } from './iot.js';
import { registerAgent } from './agent.js';
import { registerProfiles } from './profiles.js';
import { registerConsole } from './console.js';

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: RegisterCommand[] = [
  registerAssume,
  registerExec,
  registerConfigure,
  registerCredentialProcess,
  registerWhoami,
  registerFirehose,
  registerS3,
  registerSetup,
  registerRole,
  registerRotateKey,
  registerTeardown,
  registerDoctor,
  registerIot,
  registerAgent,
  registerConsole,
  registerProfiles,
];
