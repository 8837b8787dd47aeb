/**
 * Keys as they travel: URL-encoded in listings (`EncodingType: 'url'`, so any byte survives the XML),
 * `/`-separated in S3, and mapped to paths on disk for downloads.
 */

/**
 * Decodes a key from a ListObjectsV2 answer made with `encoding-type=url`. S3 encodes like a form
 * (a space may come as `+`, a literal `+` always as `%2B`), so this is Python's `unquote_plus`,
 * as botocore decodes it.
 */
export function decodeListedKey(raw: string, encodingType: string | undefined): string {
  if (encodingType !== 'url') return raw;
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/**
 * Why a key cannot become a file below the download root, or undefined when it can. Keys are
 * free-form in S3; on disk `a//b`, `./a`, `a/../../b` or `/a` would land elsewhere or nowhere.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (key === '') return 'the key is the prefix itself';
  if (key.includes('\0')) return 'the key contains a NUL character';
  const segments = key.split('/');
  if (segments.some((s) => s === '..')) return 'the key references a parent directory';
  if (segments.some((s) => s === '.')) return 'the key contains a "." segment';
  if (segments.some((s) => s === '')) return 'the key has an empty path segment';
  return undefined;
}
