/**
 * Where a partition's console lives: the sign-in (federation) host and the console host differ in
 * China and GovCloud. Pure: the federation endpoint, and `--destination` checked and completed.
 */
import { usageError } from '../errors.js';
import type { Partition } from '../aws/partition.js';

/** The hosts of one partition's AWS Management Console. */
export interface ConsoleHosts {
  /** Where `/federation` (getSigninToken, login) is served. */
  signin: string;
  /** The console itself; its services also live on subdomains (`s3.console.aws.amazon.com`). */
  console: string;
}

const HOSTS: Readonly<Record<Partition, ConsoleHosts>> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
};

/** The sign-in and console hosts of `partition`. */
export function consoleHosts(partition: Partition): ConsoleHosts {
  return HOSTS[partition];
}

/**
 * The federation endpoint: `TEMPCREDS_FEDERATION_URL` when set (a local test server), else the
 * partition's. The override must be https, or http to a loopback address only: the session's
 * keys travel in the request.
 */
export function federationUrl(partition: Partition, env: NodeJS.ProcessEnv): string {
  const override = env.TEMPCREDS_FEDERATION_URL;
  if (!override) return `https://${HOSTS[partition].signin}/federation`;
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    url = new URL('invalid:');
  }
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw usageError(
      `TEMPCREDS_FEDERATION_URL "${override}" is not an https URL (or http on 127.0.0.1).`,
      'Unset it to use the AWS sign-in endpoint, or point it at a local test server.',
    );
  }
  return override;
}

/** `--destination` as given: a console URL, or a service's console name (`s3`, `firehose`). */
export type DestinationInput = { url: URL } | { service: string } | undefined;

/** Checks the form of `--destination` before anything is called; the host is checked by {@link destinationUrl}. */
export function parseDestination(text: string | undefined): DestinationInput {
  if (text === undefined) return undefined;
  if (/^[a-z][a-z0-9-]*(\/[a-z0-9-]+)*$/.test(text)) return { service: text };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password) {
    throw usageError(
      `--destination "${text}" is neither an https console URL nor a service name.`,
      'Use a service name (s3, firehose, iam) or a console URL such as https://console.aws.amazon.com/s3/home.',
    );
  }
  return { url };
}

/**
 * The console page to land on: the console home, a service's page in `region`, or the URL given,
 * which must be on the partition's console host (or one of its subdomains).
 */
export function destinationUrl(input: DestinationInput, partition: Partition, region: string): string {
  const host = HOSTS[partition].console;
  const query = `?region=${encodeURIComponent(region)}`;
  if (input === undefined) return `https://${host}/console/home${query}`;
  if ('service' in input) return `https://${host}/${input.service}/home${query}`;
  const { hostname } = input.url;
  if (hostname !== host && !hostname.endsWith(`.${host}`)) {
    throw usageError(
      `--destination ${input.url.href} is not on the ${partition} console (${host}).`,
      `Use a URL on ${host}, or a service name such as s3.`,
    );
  }
  return input.url.href;
}
