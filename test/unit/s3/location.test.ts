import { describe, expect, it } from 'vitest';
import { parseLocation, s3Url } from '../../../src/s3/location.js';
import { syncEnds } from '../../../src/s3/options.js';

describe('parseLocation', () => {
  it('reads s3:// URLs; a prefix always ends with /', () => {
    expect(parseLocation('s3://bucket')).toEqual({ kind: 's3', bucket: 'bucket', prefix: '' });
    expect(parseLocation('s3://bucket/')).toEqual({ kind: 's3', bucket: 'bucket', prefix: '' });
    expect(parseLocation('s3://bucket/p')).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'p/' });
    expect(parseLocation('s3://bucket/p/q/')).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'p/q/' });
    expect(parseLocation('S3://bucket/a b+c/')).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'a b+c/' });
  });

  it('resolves local paths against cwd', () => {
    expect(parseLocation('data', '/home/u')).toEqual({ kind: 'local', root: '/home/u/data' });
    expect(parseLocation('/abs/', '/home/u')).toEqual({ kind: 'local', root: '/abs' });
    expect(parseLocation('.', '/home/u')).toEqual({ kind: 'local', root: '/home/u' });
  });

  it('refuses a missing or bad bucket name (usage error)', () => {
    expect(() => parseLocation('s3://')).toThrow(expect.objectContaining({ kind: 'usage' }));
    expect(() => parseLocation('s3:///key')).toThrow(/does not name a bucket/);
    expect(() => parseLocation('s3://b')).toThrow(/not a valid bucket name/);
    expect(() => parseLocation('s3://bucket name/')).toThrow(/not a valid bucket name/);
  });

  it('prints URLs as the AWS CLI does', () => {
    expect(s3Url({ kind: 's3', bucket: 'b', prefix: 'p/' }, 'a/c d')).toBe('s3://b/p/a/c d');
  });
});

describe('syncEnds', () => {
  const local = parseLocation('/x');
  const s3 = parseLocation('s3://bucket/p');
  it('tells upload from download', () => {
    expect(syncEnds(local, s3).direction).toBe('upload');
    expect(syncEnds(s3, local).direction).toBe('download');
  });
  it('refuses s3-to-s3 and local-to-local clearly', () => {
    expect(() => syncEnds(s3, s3)).toThrow(/S3 to S3 is not supported/);
    expect(() => syncEnds(local, local)).toThrow(/Both paths are local/);
  });
});
