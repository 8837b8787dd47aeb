/**
 * The session options of the agent's role (`credentials.tags`, `transitiveTagKeys`,
 * `sourceIdentity`, `policy`, `policyArns`), checked with STS's limits where the config says them,
 * so a mistake is reported at its file:line:column like every other.
 */
import {
  parsePolicyArns,
  parseSessionPolicy,
  parseSessionTags,
  parseSourceIdentity,
  parseTransitiveTagKeys,
  refuseOtherPartitionPolicies,
  type SessionTag,
} from '../credentials/sessionOptions.js';
import { TempcredsError } from '../errors.js';

/** What the agent's role session is made with besides its name, duration and ExternalId. */
export interface AgentSessionOptions {
  /** `tags: { Key: Value }`, in the config's order. */
  tags?: SessionTag[];
  /** Keys of `tags` that pass on to sessions this one assumes, spelt as the tags spell them. */
  transitiveTagKeys?: string[];
  /** The SourceIdentity the session (and every one it assumes) carries. */
  sourceIdentity?: string;
  /** The session policy as JSON text (YAML's object written as JSON, or the string as given). */
  policy?: string;
  /** Managed session policies, by ARN. */
  policyArns?: string[];
}

type Fail = (key: string, message: string, fix: string) => void;

/** The keys of `credentials` that shape a role session, which a profile's own session cannot take. */
export const ROLE_ONLY_KEYS = [
  'sourceProfile',
  'durationSeconds',
  'externalId',
  'roleSessionName',
  'tags',
  'transitiveTagKeys',
  'sourceIdentity',
  'policy',
  'policyArns',
] as const;

/**
 * The options of `credentials` (already of the schema's types), each checked; a refusal goes to
 * `fail`. With the config's `region`, managed policies of another partition are refused too.
 */
export function agentSessionOptions(
  creds: Record<string, unknown>,
  region: string | undefined,
  fail: Fail,
): AgentSessionOptions {
  const out: AgentSessionOptions = {};
  const check = (key: string, parse: () => void) => {
    try {
      parse();
    } catch (err) {
      if (!(err instanceof TempcredsError)) throw err;
      fail(key, err.message, err.fix ?? '');
    }
  };
  // YAML reads `Site: 7` as a number and `On: true` as a boolean: a tag value is their text.
  const tags = creds.tags as Record<string, string | number | boolean> | undefined;
  if (tags) {
    check('tags', () => {
      out.tags = parseSessionTags(
        Object.entries(tags).map(([key, value]) => ({ key, value: String(value) })),
        'tags',
      );
    });
  }
  const transitive = creds.transitiveTagKeys as string[] | undefined;
  if (transitive) {
    check('transitiveTagKeys', () => {
      const names = { transitiveTagKeys: 'transitiveTagKeys', tags: 'tags' };
      out.transitiveTagKeys = parseTransitiveTagKeys(transitive, out.tags ?? [], names);
    });
  }
  if (typeof creds.sourceIdentity === 'string') {
    const id = creds.sourceIdentity;
    check('sourceIdentity', () => (out.sourceIdentity = parseSourceIdentity(id, 'sourceIdentity')));
  }
  if (creds.policy !== undefined) {
    const text = typeof creds.policy === 'string' ? creds.policy : JSON.stringify(creds.policy);
    check('policy', () => (out.policy = parseSessionPolicy(text, 'policy')));
  }
  const arns = creds.policyArns as string[] | undefined;
  if (arns) {
    check('policyArns', () => {
      const policyArns = parsePolicyArns(arns, 'policyArns');
      if (region) refuseOtherPartitionPolicies(policyArns, region);
      out.policyArns = policyArns;
    });
  }
  return out;
}
