import type { Command } from 'commander';
import { action } from '../action.js';
import type { RegisterCommand } from '../command.js';
import { runIotConfigure, runIotSetup, runIotTeardown } from '../iotRun.js';

function setupOptions(iot: Command): Command {
  return iot
    .command('setup')
    .description(
      'with administrator credentials: thing, certificate, IoT policy, role alias, role trust, and the device files in DIR',
    )
    .requiredOption('--thing <name>', 'the IoT thing (the device)')
    .requiredOption('--role <role>', 'the role the device gets sessions of (name or ARN)')
    .option('--role-alias <alias>', 'the role alias (default: <role>-alias)')
    .option(
      '--policy <name>',
      'the IoT policy allowing iot:AssumeRoleWithCertificate on the alias (default: <alias>-policy)',
    )
    .option('--csr <file>', "a certificate from the device's CSR: its private key never leaves the device")
    .option('--key <file>', "with --csr: where the device keeps the CSR's key (default DIR/private.pem.key)")
    .option(
      '--create-keys',
      'AWS IoT makes the key pair (CreateKeysAndCertificate); the key is written to DIR, 0600',
    )
    .requiredOption('--out <dir>', 'where the certificate, key, CA and device.json go')
    .option(
      '--credential-duration <duration>',
      'credentialDurationSeconds of the alias: 900..43200 or 15m..12h (default 1h)',
    )
    .option('--profile-name <name>', 'also write this profile (credential_process), usable by every AWS tool')
    .option(
      '--ca-file <file>',
      'the CA bundle to write to DIR instead of the embedded Amazon Root CA 1 and 3',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .option('--yes', 'apply without asking on a terminal');
}

function teardownOptions(iot: Command): Command {
  return iot
    .command('teardown')
    .description(
      'undo what iot setup made for a thing, and nothing else; prints the plan, asks on a terminal',
    )
    .requiredOption('--thing <name>', 'the thing iot setup made')
    .option(
      '--role-alias <alias>',
      "the role alias (default: the one of setup's IoT policy on the thing's certificate)",
    )
    .option('--policy <name>', "the IoT policy (default: setup's, found on the thing's certificate)")
    .option('--out <dir>', 'also remove the files iot setup wrote there')
    .option('--profile-name <name>', 'also remove the IoT settings iot setup wrote to this profile')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--yes', 'remove without asking');
}

function configureOptions(iot: Command): Command {
  return iot
    .command('configure')
    .description('on the device: write an IoT profile from the directory iot setup filled (copied here)')
    .requiredOption(
      '--dir <dir>',
      'the --out directory of iot setup: certificate, CA, device.json (and the key)',
    )
    .requiredOption('--profile-name <name>', 'the profile to write')
    .option('--key <file>', 'the private key, when it is not in DIR (the device made the CSR)');
}

export const registerIot: RegisterCommand = (program: Command, io, setExitCode) => {
  const iot = program
    .command('iot')
    .description(
      'AWS IoT certificate credentials: a device gets role sessions with its certificate, no access key',
    );
  setupOptions(iot).action(action(io, setExitCode, runIotSetup));
  teardownOptions(iot).action(action(io, setExitCode, runIotTeardown));
  configureOptions(iot).action(action(io, setExitCode, runIotConfigure));
};
