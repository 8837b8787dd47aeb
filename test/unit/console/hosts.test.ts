import { describe, expect, it } from 'vitest';
import { consoleHosts, destinationUrl, federationUrl, parseDestination } from '../../../src/console/hosts.js';
import { TempcredsError } from '../../../src/errors.js';

const usage = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(TempcredsError);
    expect((err as TempcredsError).kind).toBe('usage');
    return (err as TempcredsError).message;
  }
  throw new Error('no error');
};

describe('federationUrl', () => {
  it.each([
    ['aws', 'https://signin.aws.amazon.com/federation'],
    ['aws-cn', 'https://signin.amazonaws.cn/federation'],
    ['aws-us-gov', 'https://signin.amazonaws-us-gov.com/federation'],
  ] as const)('%s: %s', (partition, url) => {
    expect(federationUrl(partition, {})).toBe(url);
    expect(`https://${consoleHosts(partition).signin}/federation`).toBe(url);
  });

  it.each([
    'https://fed.example/federation',
    'http://127.0.0.1:8080/federation',
    'http://localhost:1/federation',
    'http://[::1]:1/federation',
  ])('takes the override %s', (override) => {
    expect(federationUrl('aws-cn', { TEMPCREDS_FEDERATION_URL: override })).toBe(override);
  });

  it.each([
    'http://example.com/federation',
    'http://127.0.0.2/f',
    'ftp://127.0.0.1/f',
    'not a url',
    'file:///x',
  ])('refuses the override %s (the keys would travel in the clear)', (override) => {
    expect(usage(() => federationUrl('aws', { TEMPCREDS_FEDERATION_URL: override }))).toContain(
      'is not an https URL',
    );
  });
});

describe('parseDestination and destinationUrl', () => {
  it.each([
    [undefined, 'aws', 'us-east-1', 'https://console.aws.amazon.com/console/home?region=us-east-1'],
    ['s3', 'aws-cn', 'cn-north-1', 'https://console.amazonaws.cn/s3/home?region=cn-north-1'],
    [
      'iam',
      'aws-us-gov',
      'us-gov-east-1',
      'https://console.amazonaws-us-gov.com/iam/home?region=us-gov-east-1',
    ],
    ['ec2/v2', 'aws', 'eu-west-1', 'https://console.aws.amazon.com/ec2/v2/home?region=eu-west-1'],
    [
      'https://s3.console.aws.amazon.com/s3/buckets?region=eu-west-1',
      'aws',
      'us-east-1',
      'https://s3.console.aws.amazon.com/s3/buckets?region=eu-west-1',
    ],
    [
      'https://console.amazonaws.cn/firehose/home#/streams',
      'aws-cn',
      'cn-northwest-1',
      'https://console.amazonaws.cn/firehose/home#/streams',
    ],
  ] as const)('%s in %s', (text, partition, region, expected) => {
    expect(destinationUrl(parseDestination(text), partition, region)).toBe(expected);
  });

  it.each([
    'ftp://console.aws.amazon.com/',
    'http://console.aws.amazon.com/',
    'S3',
    's3 home',
    '../x',
    'https://u:p@console.aws.amazon.com/',
  ])('refuses %j before any call', (text) => {
    expect(usage(() => parseDestination(text))).toContain(
      'is neither an https console URL nor a service name',
    );
  });

  it.each([
    ['https://console.aws.amazon.com/s3/home', 'aws-cn'],
    ['https://console.amazonaws.cn/s3/home', 'aws'],
    ['https://evilconsole.aws.amazon.com/', 'aws'],
    ['https://console.aws.amazon.com.evil.example/', 'aws'],
  ] as const)('refuses %s for the %s console', (url, partition) => {
    expect(usage(() => destinationUrl(parseDestination(url), partition, 'x'))).toContain(
      `is not on the ${partition} console`,
    );
  });
});
