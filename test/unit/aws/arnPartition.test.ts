import { describe, expect, it } from 'vitest';
import { assumedRoleName, parseArn, parseRoleRef, roleArnOf, userArnOf } from '../../../src/aws/arn.js';
import { defaultRegionOf, isRegionName, partitionOfRegion, stsEndpoint } from '../../../src/aws/partition.js';
import { clientConfig, endpointOverride } from '../../../src/aws/clients.js';

describe('partitions', () => {
  it.each([
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-east-1', 'aws'],
    ['eu-central-1', 'aws'],
    ['ap-southeast-5', 'aws'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });

  it('uses the regional STS endpoint of the right partition, never the global one', () => {
    expect(stsEndpoint('cn-northwest-1')).toBe('https://sts.cn-northwest-1.amazonaws.com.cn');
    expect(stsEndpoint('cn-north-1')).toBe('https://sts.cn-north-1.amazonaws.com.cn');
    expect(stsEndpoint('us-gov-west-1')).toBe('https://sts.us-gov-west-1.amazonaws.com');
    expect(stsEndpoint('eu-west-1')).toBe('https://sts.eu-west-1.amazonaws.com');
  });

  it('knows a home region per partition and what a region name looks like', () => {
    expect(defaultRegionOf('aws-cn')).toBe('cn-northwest-1');
    expect(defaultRegionOf('aws-us-gov')).toBe('us-gov-west-1');
    expect(defaultRegionOf('aws')).toBe('us-east-1');
    for (const ok of ['us-east-1', 'cn-northwest-1', 'us-gov-west-1', 'us-isob-east-1', 'ap-southeast-5']) {
      expect(isRegionName(ok)).toBe(true);
    }
    for (const bad of ['', 'useast1', 'US-EAST-1', 'us-east', 'cn-northwest-1;rm', 'http://x']) {
      expect(isRegionName(bad)).toBe(false);
    }
  });
});

describe('ARNs', () => {
  it('parses ARNs with colons and slashes in the resource', () => {
    expect(parseArn('arn:aws-cn:iam::123456789012:role/path/to/target-role-name')).toEqual({
      partition: 'aws-cn',
      service: 'iam',
      region: '',
      accountId: '123456789012',
      resource: 'role/path/to/target-role-name',
    });
    expect(parseArn('arn:aws:logs:us-east-1:1:log-group:a:b')?.resource).toBe('log-group:a:b');
    expect(parseArn('arn:aws-xx:iam::1:role/x')).toBeUndefined();
    expect(parseArn('not-an-arn')).toBeUndefined();
  });

  it('accepts role names and role ARNs, and refuses anything else with exit 2', () => {
    expect(parseRoleRef('target-role-name')).toEqual({ roleName: 'target-role-name' });
    expect(parseRoleRef('arn:aws-cn:iam::876820548815:role/firehose_delivery_role')).toEqual({
      roleArn: 'arn:aws-cn:iam::876820548815:role/firehose_delivery_role',
      roleName: 'firehose_delivery_role',
    });
    expect(parseRoleRef('arn:aws:iam::123456789012:role/service-role/x').roleName).toBe('x');
    for (const bad of [
      'arn:aws:iam::123456789012:user/sts_user',
      'arn:aws:iam::12345:role/x',
      'arn:aws:s3:::bucket',
      'arn:aws:iam:us-east-1:123456789012:role/x',
      'has space',
      'x'.repeat(65),
      '',
    ]) {
      expect(() => parseRoleRef(bad), bad).toThrow(expect.objectContaining({ kind: 'usage' }));
    }
  });

  it('builds ARNs in the partition of the caller', () => {
    expect(roleArnOf('r', 'aws-cn', '123456789012')).toBe('arn:aws-cn:iam::123456789012:role/r');
    expect(userArnOf('sts_user', 'aws-us-gov', '1')).toBe('arn:aws-us-gov:iam::1:user/sts_user');
  });

  it('recognises assumed-role sessions (role chaining)', () => {
    expect(assumedRoleName('arn:aws-cn:sts::1:assumed-role/target/session')).toBe('target');
    expect(assumedRoleName('arn:aws:iam::1:user/sts_user')).toBeUndefined();
  });
});

describe('endpoints', () => {
  const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
  it('prefers --endpoint-url, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://all', AWS_ENDPOINT_URL_STS: 'http://sts' };
    expect(endpointOverride('sts', 'http://flag', env)).toBe('http://flag');
    expect(endpointOverride('sts', undefined, env)).toBe('http://sts');
    expect(endpointOverride('s3', undefined, env)).toBe('http://all');
    expect(endpointOverride('s3', undefined, {})).toBeUndefined();
  });
  it('pins STS to its regional endpoint and S3 to path style under an override', () => {
    expect(clientConfig('sts', { region: 'cn-northwest-1', credentials, env: {} }).endpoint).toBe(
      'https://sts.cn-northwest-1.amazonaws.com.cn',
    );
    expect(clientConfig('iam', { region: 'cn-northwest-1', credentials, env: {} }).endpoint).toBeUndefined();
    const s3 = clientConfig('s3', {
      region: 'us-east-1',
      credentials,
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
    });
    expect(s3).toMatchObject({ endpoint: 'http://127.0.0.1:1', forcePathStyle: true });
  });
});
