import { describe, expect, it } from 'vitest';
import { contentTypeFor } from '../../../src/s3/contentType.js';

describe('contentTypeFor (the AWS CLI guesses a type from the name)', () => {
  it.each([
    ['index.html', 'text/html'],
    ['site/app.JS', 'text/javascript'],
    ['a/b/photo.jpeg', 'image/jpeg'],
    ['data.json', 'application/json'],
    ['archive.tar.gz', 'application/gzip'],
  ])('%s -> %s', (key, type) => {
    expect(contentTypeFor(key)).toBe(type);
  });

  it.each(['README', '.bashrc', 'dir.html/file', 'x.unknownext'])('%s -> none (S3 default)', (key) => {
    expect(contentTypeFor(key)).toBeUndefined();
  });
});
