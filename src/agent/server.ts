import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { startCredentialsServer, type CredentialsServer } from '../credentials/server.js';
import { DEFAULT_MIN_TTL_SECONDS } from '../credentials/keepFresh.js';
import type { AgentSession } from './credentials.js';

/** Files in stateDir that other local processes read to reach the agent's credentials endpoint. */
export const serverFiles = (stateDir: string) => ({
  /** The bearer token, mode 0600: `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` names it. */
  token: join(stateDir, 'server-token'),
  /** `AWS_CONTAINER_CREDENTIALS_FULL_URI=...` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=...` (a systemd EnvironmentFile). */
  env: join(stateDir, 'server.env'),
});

/**
 * The container-credentials endpoint of `exec --server`, serving the agent's session on 127.0.0.1
 * to other local processes. The token is not in anyone's environment: it is in a 0600 file that
 * the SDKs re-read at each request (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), written before the
 * URL is published in `server.env`.
 */
export async function startAgentServer(
  session: AgentSession,
  stateDir: string,
  port: number,
  onError: (err: unknown) => void,
): Promise<{ server: CredentialsServer; tokenFile: string; envFile: string }> {
  const server = await startCredentialsServer({
    credentials: session.provider,
    port,
    minTtlSeconds: DEFAULT_MIN_TTL_SECONDS,
    onError,
  });
  const files = serverFiles(stateDir);
  try {
    await writeFileAtomic(files.token, server.authorizationToken, { mode: 0o600 });
    await writeFileAtomic(
      files.env,
      `AWS_CONTAINER_CREDENTIALS_FULL_URI=${server.url}\nAWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${files.token}\n`,
      { mode: 0o600 },
    );
  } catch (err) {
    await server.close();
    throw err;
  }
  return { server, tokenFile: files.token, envFile: files.env };
}
