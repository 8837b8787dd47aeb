/** The cache-hit fast path's reading of `credential-process --profile P` (an IoT profile's session). */
import { describe, expect, it } from 'vitest';
import { parseCredentialProcessArgs } from '../../../src/cli/credentialProcessArgs.cjs';
import { cacheFile } from '../../../src/credentials/processCache.cjs';

describe('credential-process --profile P without --role-arn', () => {
  it('is the key of the IoT session of P, with region and endpoint', () => {
    expect(parseCredentialProcessArgs(['--profile', 'device'])).toEqual({
      iotProfile: 'device',
      region: undefined,
      endpointUrl: undefined,
    });
    expect(parseCredentialProcessArgs(['--profile', 'device', '--region', 'cn-northwest-1'])).toMatchObject({
      iotProfile: 'device',
      region: 'cn-northwest-1',
    });
  });

  it('leaves anything else to the full CLI (which explains it)', () => {
    expect(parseCredentialProcessArgs([])).toBeUndefined();
    expect(parseCredentialProcessArgs(['--profile', 'device', '--duration', '1h'])).toBeUndefined();
    expect(parseCredentialProcessArgs(['--profile', 'device', '--source-profile', 'x'])).toBeUndefined();
    // Session options shape an AssumeRole: without --role-arn the full CLI refuses them.
    for (const option of [
      ['--tag', 'Project=iot'],
      ['--transitive-tag-key', 'Project'],
      ['--source-identity', 'collector-7'],
      ['--policy', '{}'],
      ['--policy-arn', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ]) {
      expect(parseCredentialProcessArgs(['--profile', 'device', ...option])).toBeUndefined();
    }
  });

  it('an IoT session and a role session never share a cache file; the local provider is part of the identity', () => {
    const env = { AWS_CONFIG_FILE: '/c' };
    const iot = cacheFile({ iotProfile: 'device' }, env);
    expect(iot).not.toBe(cacheFile({ roleArn: 'device' }, env));
    expect(
      cacheFile({ iotProfile: 'device' }, { ...env, TEMPCREDS_IOT_ENDPOINT_URL: 'https://127.0.0.1:1' }),
    ).not.toBe(iot);
    expect(cacheFile({ iotProfile: 'other' }, env)).not.toBe(iot);
  });
});
