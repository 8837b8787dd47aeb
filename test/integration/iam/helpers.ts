/** Shared fixtures of the IAM integration tests: an administrator profile and the CLI pointed at moto. */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { readFile } from 'node:fs/promises';
import { makeTempHome, runCli, type CliResult, type TempHome } from '../../support/cli.js';
import type { LocalAws, StaticKeys } from '../../support/localAws.js';
import { writeKeysProfile } from '../../support/world.js';

export const ACCOUNT = '123456789012';

/** A temp HOME whose profile `admin` holds the local AWS's administrator keys. */
export async function adminHome(aws: LocalAws): Promise<TempHome> {
  const home = await makeTempHome();
  await writeKeysProfile(home, 'admin', aws.admin, aws.region);
  return home;
}

/** Runs `tempcreds ARGS --endpoint-url <moto>` in HOME, as the administrator unless `--profile` is given. */
export function cliIn(aws: LocalAws, home: TempHome) {
  return (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
    const profile = args.includes('--profile') ? [] : ['--profile', 'admin'];
    return runCli([...args, ...profile, '--endpoint-url', aws.endpoint], { env: home.env(extraEnv) });
  };
}

export function adminIam(aws: LocalAws): IAMClient {
  return new IAMClient(aws.adminClientConfig());
}

export function stsWith(aws: LocalAws, keys: StaticKeys): STSClient {
  return new STSClient({ ...aws.adminClientConfig(), credentials: keys });
}

/** Both AWS files as text (missing = empty), to prove a command left the disk alone. */
export async function filesOf(home: TempHome): Promise<string> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  return `${await read(home.configFile)}\n----\n${await read(home.credentialsFile)}`;
}

/** Keys of `[name]` in the credentials file. */
export async function profileKeys(home: TempHome, name: string): Promise<StaticKeys | undefined> {
  const text = await readFile(home.credentialsFile, 'utf8').catch(() => '');
  const section = text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  const id = /aws_access_key_id\s*=\s*(\S+)/.exec(section)?.[1];
  const secret = /aws_secret_access_key\s*=\s*(\S+)/.exec(section)?.[1];
  return id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined;
}
