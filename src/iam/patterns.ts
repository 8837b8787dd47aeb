/**
 * The wildcard matching of IAM policies: `*` any run of characters, `?` exactly one.
 * Actions compare case-insensitively; resources and ARNs case-sensitively, segment by segment.
 */

function toRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return toRegExp(pattern, ignoreCase).test(value);
}

/** `sts:Assume*` matches `STS:AssumeRole`: service prefixes and action names are case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

/** `arn:partition:service:region:account:resource`, the resource keeping any further colons. */
function arnSegments(text: string): string[] | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Resource / `ArnLike` matching: each of the six colon-separated ARN segments is matched on its
 * own (a wildcard does not span segments), case-sensitively. `*` alone matches everything;
 * a pattern or value that is not an ARN is matched as a whole string.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const want = arnSegments(pattern);
  const have = arnSegments(arn);
  // An ARN pattern short of six segments names no ARN (`arn:aws:iam::*` has no resource part).
  if (pattern.startsWith('arn:') && !want) return false;
  if (!want || !have) return wildcardMatch(pattern, arn);
  return want.every((segment, i) => wildcardMatch(segment, have[i] as string));
}
