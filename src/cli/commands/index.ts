import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { ExitCode } from '../main.js';
import { registerAssume } from './assume.js';
import { registerExec } from './exec.js';
import { registerConfigure } from './configure.js';
import { registerCredentialProcess } from './credentialProcess.js';
import { registerWhoami } from './whoami.js';
import { registerFirehose } from './firehose.js';
import { registerS3 } from './s3.js';

/** A command module adds its command(s) to the program; its action reports an exit code. */
export type RegisterCommand = (program: Command, io: CliIo, setExitCode: (code: ExitCode) => void) => void;

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: RegisterCommand[] = [
  registerAssume,
  registerExec,
  registerConfigure,
  registerCredentialProcess,
  registerWhoami,
  registerFirehose,
  registerS3,
];
