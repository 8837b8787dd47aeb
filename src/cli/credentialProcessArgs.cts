import { parseArgs } from 'node:util';
import type { ProcessCacheKey } from '../credentials/processCache.cjs';
import { readPolicyArgument } from './policyArgument.cjs';

/**
 * The `credential-process` flags that decide which session is served, by their flag names (the
 * repeatable ones are lists); `policy` is the document's text (a `file://` argument's content).
 */
export interface CredentialProcessFlags extends Omit<
  ProcessCacheKey,
  'tags' | 'transitiveTagKeys' | 'policyArns'
> {
  tag?: string[];
  transitiveTagKey?: string[];
  policyArn?: string[];
}

/**
 * The cache key of a session: built here for the fast path and the full command alike, so the two
 * can never disagree. Session options are in it only when given, so keys without them are unchanged.
 */
export function processCacheKey(flags: CredentialProcessFlags): ProcessCacheKey {
  const list = (values: string[] | undefined) => (values && values.length > 0 ? values : undefined);
  return {
    roleArn: flags.roleArn,
    sourceProfile: flags.sourceProfile,
    duration: flags.duration,
    sessionName: flags.sessionName,
    externalId: flags.externalId,
    region: flags.region,
    endpointUrl: flags.endpointUrl,
    tags: list(flags.tag),
    transitiveTagKeys: list(flags.transitiveTagKey),
    sourceIdentity: flags.sourceIdentity,
    policy: flags.policy,
    policyArns: list(flags.policyArn),
  };
}

/**
 * The cache-hit fast path's own reading of `credential-process` flags (node:util only). Returns
 * undefined for anything unusual (a policy file it cannot read included), so the full CLI handles
 * it and reports errors properly.
 */
export function parseCredentialProcessArgs(argv: string[], cwd = process.cwd()): ProcessCacheKey | undefined {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'role-arn': { type: 'string' },
        'source-profile': { type: 'string' },
        profile: { type: 'string' },
        duration: { type: 'string' },
        'session-name': { type: 'string' },
        'external-id': { type: 'string' },
        region: { type: 'string' },
        'endpoint-url': { type: 'string' },
        tag: { type: 'string', multiple: true },
        'transitive-tag-key': { type: 'string', multiple: true },
        'source-identity': { type: 'string' },
        policy: { type: 'string' },
        'policy-arn': { type: 'string', multiple: true },
      },
    });
    const roleArn = values['role-arn'];
    if (!roleArn) {
      // `--profile P` alone: the session of IoT profile P (the full CLI checks it is one).
      const profile = values.profile;
      const roleOnly =
        values['source-profile'] ??
        values.duration ??
        values['session-name'] ??
        values['external-id'] ??
        values.tag ??
        values['transitive-tag-key'] ??
        values['source-identity'] ??
        values.policy ??
        values['policy-arn'];
      if (!profile || roleOnly !== undefined) return undefined;
      return { iotProfile: profile, region: values.region, endpointUrl: values['endpoint-url'] };
    }
    const policy = values.policy === undefined ? undefined : readPolicyArgument(values.policy, cwd);
    if (policy && 'error' in policy) return undefined;
    return processCacheKey({
      roleArn,
      sourceProfile: values['source-profile'] ?? values.profile,
      duration: values.duration,
      sessionName: values['session-name'],
      externalId: values['external-id'],
      region: values.region,
      endpointUrl: values['endpoint-url'],
      tag: values.tag,
      transitiveTagKey: values['transitive-tag-key'],
      sourceIdentity: values['source-identity'],
      policy: policy?.text,
      policyArn: values['policy-arn'],
    });
  } catch {
    return undefined;
  }
}
