import { hostname } from 'node:os';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsFiles } from '../config/paths.js';
import { keepFresh, DEFAULT_MIN_TTL_SECONDS } from '../credentials/keepFresh.js';
import { usageError } from '../errors.js';
import type { AgentConfig } from './config.js';

/** The one session of the agent: every flow, sync and the local credentials server use its provider. */
export interface AgentSession {
  region: string;
  /** Credentials from memory, renewed in the background; waits on STS only when none are valid. */
  provider: AwsCredentialIdentityProvider;
  /** When the credentials served now expire; undefined for long-term keys. */
  expiration(): Date | undefined;
  /** Renewals made (the first fetch not counted). */
  refreshes(): number;
  /** Why the credentials are not fresh (expired, or the last renewal failed), or undefined. */
  problem(now?: number): string | undefined;
  close(): void;
}

export interface AgentSessionDeps {
  env: NodeJS.ProcessEnv;
  files: AwsFiles;
  onRefreshed?: (expiration: Date) => void;
  onRefreshFailed?: (err: unknown) => void;
}

/** `tempcreds-agent-<host>`, within RoleSessionName's 64 characters of `[\w+=,.@-]`. */
export function agentSessionName(host = hostname()): string {
  return `tempcreds-agent-${host.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

/** The source's provider: a profile as it is, or a role assumed with the source profile. */
async function innerProvider(
  config: AgentConfig,
  deps: AgentSessionDeps,
): Promise<{ provider: AwsCredentialIdentityProvider; region: string | undefined }> {
  const { resolveSource } = await import('../credentials/sources.js');
  const creds = config.credentials;
  const source = await resolveSource({
    profile: creds.kind === 'profile' ? creds.profile : creds.sourceProfile,
    region: config.region,
    endpointUrl: config.endpointUrl,
    env: deps.env,
    files: deps.files,
    minTtlSeconds: DEFAULT_MIN_TTL_SECONDS,
  });
  if (creds.kind === 'profile') return { provider: source.credentials, region: source.region };
  const { startRoleSession } = await import('../credentials/roleSession.js');
  const { parseAssumeRoleRequest } = await import('../credentials/assumeRoleRequest.js');
  const session = await startRoleSession({
    source,
    request: parseAssumeRoleRequest({
      role: creds.role,
      roleSessionName: creds.roleSessionName ?? agentSessionName(),
      durationSeconds: creds.durationSeconds,
      externalId: creds.externalId,
      ...creds.session,
    }),
    endpointUrl: config.endpointUrl,
    env: deps.env,
    minTtlSeconds: DEFAULT_MIN_TTL_SECONDS,
  });
  return { provider: session.provider, region: config.region ?? session.region };
}

/**
 * Starts the agent's session from `credentials` (a profile of any kind tempcreds reads, or a role
 * with a source profile). Temporary credentials are held by `keepFresh`: renewed early, so that
 * what is handed out never has less than 15 minutes left (or a third of a shorter session's life).
 */
export async function startAgentSession(config: AgentConfig, deps: AgentSessionDeps): Promise<AgentSession> {
  const inner = await innerProvider(config, deps);
  const region = config.region ?? inner.region;
  if (!region) {
    throw usageError(
      `${config.file}: no region: none in the config and none in the profile.`,
      'Add region: REGION to the config.',
    );
  }
  let first: AwsCredentialIdentity | undefined = await inner.provider();
  if (!first.expiration) {
    const keys = first;
    return {
      region,
      provider: async () => keys,
      expiration: () => undefined,
      refreshes: () => 0,
      problem: () => undefined,
      close() {},
    };
  }
  let refreshes = 0;
  let expiration = first.expiration;
  let failure: string | undefined;
  const fresh = await keepFresh({
    credentials: async () => {
      if (first) {
        const c = first;
        first = undefined;
        return c;
      }
      const c = await inner.provider({ forceRefresh: true });
      refreshes += 1;
      failure = undefined;
      if (c.expiration && c.expiration > expiration) expiration = c.expiration;
      deps.onRefreshed?.(expiration);
      return c;
    },
    minTtlSeconds: DEFAULT_MIN_TTL_SECONDS,
    onError: (err) => {
      failure = err instanceof Error ? err.message : String(err);
      deps.onRefreshFailed?.(err);
    },
  });
  return {
    region,
    provider: () => fresh.current(),
    expiration: () => expiration,
    refreshes: () => refreshes,
    problem(now = Date.now()) {
      if (expiration.getTime() <= now)
        return `the credentials expired at ${expiration.toISOString()}${failure ? `: ${failure}` : ''}`;
      return failure ? `renewing the credentials failed: ${failure}` : undefined;
    },
    close: () => fresh.stop(),
  };
}
