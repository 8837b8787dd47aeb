import { parseArgs } from 'node:util';
import type { ProcessCacheKey } from '../credentials/processCache.cjs';

/**
 * The cache-hit fast path's own reading of `credential-process` flags (node:util only). Returns
 * undefined for anything unusual, so the full CLI handles it and reports errors properly.
 */
export function parseCredentialProcessArgs(argv: string[]): ProcessCacheKey | undefined {
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
      },
    });
    const roleArn = values['role-arn'];
    if (!roleArn) {
      // `--profile P` alone: the session of IoT profile P (the full CLI checks it is one).
      const profile = values.profile;
      const roleOnly =
        values['source-profile'] ?? values.duration ?? values['session-name'] ?? values['external-id'];
      if (!profile || roleOnly !== undefined) return undefined;
      return { iotProfile: profile, region: values.region, endpointUrl: values['endpoint-url'] };
    }
    return {
      roleArn,
      sourceProfile: values['source-profile'] ?? values.profile,
      duration: values.duration,
      sessionName: values['session-name'],
      externalId: values['external-id'],
      region: values.region,
      endpointUrl: values['endpoint-url'],
    };
  } catch {
    return undefined;
  }
}
