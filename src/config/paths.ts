import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the AWS CLI keeps its two files for this user. */
export interface AwsFiles {
  /** `AWS_CONFIG_FILE`, default `~/.aws/config`: `[profile NAME]` sections, settings. */
  configFile: string;
  /** `AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`: `[NAME]` sections, keys. */
  credentialsFile: string;
}

/**
 * The config and credentials file locations, as the AWS CLI finds them.
 * A leading `~/` in the variables is expanded because the AWS CLI expands it too
 * (users set `AWS_CONFIG_FILE=~/x` in quotes, where the shell does not).
 */
export function awsFiles(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): AwsFiles {
  return {
    configFile: fromEnv(env.AWS_CONFIG_FILE, home) ?? join(home, '.aws', 'config'),
    credentialsFile: fromEnv(env.AWS_SHARED_CREDENTIALS_FILE, home) ?? join(home, '.aws', 'credentials'),
  };
}

function fromEnv(value: string | undefined, home: string): string | undefined {
  // An empty variable counts as unset, as it does for the AWS CLI.
  if (!value) return undefined;
  if (value === '~') return home;
  if (value.startsWith('~/') || value.startsWith('~\\')) return join(home, value.slice(2));
  return value;
}

/**
 * The config file section of a profile: `default` stays `default`, any other name is
 * `profile NAME`. (In the credentials file the section is the bare name.)
 */
export function configSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}
