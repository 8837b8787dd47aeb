import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { startCredentialsServer } from '../credentials/server.js';
import { isolatedAwsFiles } from './isolatedAwsFiles.js';

export interface ServeToChildOptions {
  /** The role's refreshing provider. */
  credentials: AwsCredentialIdentityProvider;
  /** The user's config file: copied for the child without its credentials. */
  configFile: string;
  /** Hand the token over in a 0600 file (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), not in the environment. */
  tokenFile?: boolean;
  minTtlSeconds?: number;
  onError?: (err: unknown) => void;
}

/** A credentials endpoint and the environment that makes a child use it and nothing else. */
export interface ServedChild {
  /** To add to the child's environment (after removing the parent's credential variables). */
  env: Record<string, string>;
  url: string;
  /** The endpoint's token, for the log redactor. */
  authorizationToken: string;
  /** Stops the endpoint and removes the child's private files. */
  close(): Promise<void>;
}

/**
 * What `exec --server` gives its child: the container-credentials variables of a local endpoint
 * (see {@link startCredentialsServer}), and config/credentials/boto files of its own (see
 * {@link isolatedAwsFiles}), because every credential chain reads keys from the shared files
 * before it asks an endpoint: a `[default]` with keys would otherwise win over the role.
 */
export async function serveToChild(options: ServeToChildOptions): Promise<ServedChild> {
  const server = await startCredentialsServer({
    credentials: options.credentials,
    minTtlSeconds: options.minTtlSeconds,
    onError: options.onError,
  });
  try {
    const files = await isolatedAwsFiles(options.configFile);
    const tokenPath = options.tokenFile ? await files.addFile('token', server.authorizationToken) : undefined;
    return {
      env: { ...server.childEnv(tokenPath), ...files.env },
      url: server.url,
      authorizationToken: server.authorizationToken,
      close: async () => {
        await server.close();
        await files.remove();
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
