/**
 * The AssumeRole inputs that shape the session itself: session tags, transitive tag keys,
 * SourceIdentity and session policies. Each is checked against the STS API's own limits (its
 * service model: lengths, patterns, counts) before any call; what only AWS can judge (the packed
 * size of tags and policies together, whether a managed policy exists) is left to AWS, whose
 * refusals `sessionRefusals.ts` explains.
 */
import { parseArn } from '../aws/arn.js';
import { partitionOfRegion } from '../aws/partition.js';
import { usageError } from '../errors.js';

/** A session tag AWS accepts. Made by {@link parseSessionTags}. */
export interface SessionTag {
  /** 1..128 characters: letters, spaces, digits and `_.:/=+-@`. */
  readonly key: string;
  /** 0..256 characters of the same set. */
  readonly value: string;
  /** Type-only: every SessionTag has been through {@link parseSessionTags}. */
  readonly __brand: 'SessionTag';
}

/** A SourceIdentity AWS accepts: 2..64 characters of `[\w+=,.@-]`. Made by {@link parseSourceIdentity}. */
export type SourceIdentity = string & { readonly __brand: 'SourceIdentity' };

/**
 * An inline session policy: JSON, its insignificant whitespace removed, at most 2048 characters of
 * tab, newline, carriage return and U+0020..U+00FF. Made by {@link parseSessionPolicy}.
 */
export type SessionPolicy = string & { readonly __brand: 'SessionPolicy' };

/** The ARN of an IAM managed policy (`arn:aws:iam::aws:policy/ReadOnlyAccess`). Made by {@link parsePolicyArns}. */
export type PolicyArn = string & { readonly __brand: 'PolicyArn' };

/** STS limits (AssumeRole API reference and the STS service model). */
export const MAX_SESSION_TAGS = 50;
/** The longest session tag key STS accepts, in characters. */
export const MAX_TAG_KEY_LENGTH = 128;
/** The longest session tag value STS accepts, in characters. */
export const MAX_TAG_VALUE_LENGTH = 256;
/** The longest inline session policy STS accepts, in characters, whitespace outside strings removed. */
export const MAX_SESSION_POLICY_LENGTH = 2048;
/** The most managed session policies (`PolicyArns`) one AssumeRole takes. */
export const MAX_POLICY_ARNS = 10;

/** The STS model's tag patterns: letters, separators (spaces), numbers and `_.:/=+-@`. */
const TAG_CHARACTER = /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u;
const TAG_ALLOWED = 'letters, digits, spaces and _.:/=+-@';

/**
 * Session tags, each `Key=Value` (split at the first `=`, so a key cannot hold one; a value may)
 * or `{ key, value }`. At most 50; keys 1..128 and values 0..256 characters of the STS pattern;
 * no key twice, in any case (AWS treats `Project` and `project` as one key).
 */
export function parseSessionTags(
  tags: ReadonlyArray<string | { key: string; value: string }>,
  what = 'Tags',
): SessionTag[] {
  if (tags.length > MAX_SESSION_TAGS) {
    throw usageError(
      `${what}: ${tags.length} session tags; AWS allows at most ${MAX_SESSION_TAGS}.`,
      'Pass fewer tags.',
    );
  }
  const seen = new Map<string, string>();
  return tags.map((tag) => {
    const { key, value } = typeof tag === 'string' ? splitTag(tag, what) : tag;
    checkTagText(key, 1, MAX_TAG_KEY_LENGTH, `${what} key "${key}"`);
    checkTagText(value, 0, MAX_TAG_VALUE_LENGTH, `${what} value of ${key}`);
    const earlier = seen.get(key.toLowerCase());
    if (earlier !== undefined) {
      throw usageError(
        `${what}: key "${key}" is given twice${earlier === key ? '' : ` (as "${earlier}" too: AWS ignores the case of tag keys)`}.`,
        'Give each tag key once.',
      );
    }
    seen.set(key.toLowerCase(), key);
    return { key, value } as SessionTag;
  });
}

function splitTag(text: string, what: string): { key: string; value: string } {
  const at = text.indexOf('=');
  if (at < 0) {
    throw usageError(`${what} "${text}" is not Key=Value.`, 'Write each tag as Key=Value, e.g. Project=iot.');
  }
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

function checkTagText(text: string, min: number, max: number, what: string): void {
  if (text.length < min || text.length > max) {
    throw usageError(
      `${what} is ${text.length} characters; AWS allows ${min}..${max}.`,
      min > 0 && text.length === 0 ? 'Give the tag a key: Key=Value.' : `Shorten it to ${max} characters.`,
    );
  }
  const bad = [...text].find((c) => !TAG_CHARACTER.test(c));
  if (bad !== undefined) {
    throw usageError(
      `${what} has a character AWS does not allow in session tags: ${describeCharacter(bad)}.`,
      `Use only ${TAG_ALLOWED}.`,
    );
  }
}

/**
 * Transitive tag keys: each must be the key of one of the session tags. Keys are matched ignoring
 * case, as AWS matches tag keys, and sent spelt as the tag spells them; each once.
 */
export function parseTransitiveTagKeys(
  keys: readonly string[],
  tags: readonly SessionTag[],
  names: { transitiveTagKeys: string; tags: string } = {
    transitiveTagKeys: 'TransitiveTagKeys',
    tags: 'Tags',
  },
): string[] {
  const tagKeys = new Map(tags.map((t) => [t.key.toLowerCase(), t.key]));
  const chosen = keys.map((key) => {
    const tagKey = tagKeys.get(key.toLowerCase());
    if (tagKey === undefined) {
      throw usageError(
        `${names.transitiveTagKeys} ${key} is not the key of any of the session tags (${names.tags}).`,
        `Add ${names.tags} ${key}=VALUE, or leave the key out of ${names.transitiveTagKeys}.`,
      );
    }
    return tagKey;
  });
  return [...new Set(chosen)];
}

/** SourceIdentity rules: 2..64 characters of `[\w+=,.@-]`, not starting with `aws:` (reserved by AWS). */
export function parseSourceIdentity(text: string, what = 'SourceIdentity'): SourceIdentity {
  if (/^aws:/i.test(text)) {
    throw usageError(
      `${what} "${text}" starts with aws:, which AWS reserves for its own use.`,
      'Use your own name, e.g. your user name or e-mail address.',
    );
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(text)) {
    throw usageError(
      `${what} "${text}" is invalid: AWS allows 2-64 characters of letters, digits and +=,.@_-.`,
      'Use a name like alice or alice@example.com.',
    );
  }
  return text as SourceIdentity;
}

/**
 * An inline session policy. It must be a JSON object; whitespace outside strings is removed
 * (STS counts every character of the parameter against its 2048, so a pretty-printed document
 * that fits once compacted is sent compacted), and what is left must be at most 2048 characters
 * of the set STS accepts. Whether the document is a valid policy is AWS's to say
 * (MalformedPolicyDocument).
 */
export function parseSessionPolicy(text: string, what = 'Policy'): SessionPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const hint = text.startsWith('file://') ? ' (file:// is a CLI form: pass the document itself)' : '';
    throw usageError(
      `${what} is not JSON${hint}: ${(err as Error).message}.`,
      'Give a policy document, e.g. {"Version":"2012-10-17","Statement":[...]}, or file://policy.json on the command line.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(
      `${what} is JSON but not a policy document (an object).`,
      'Give {"Version":"2012-10-17","Statement":[...]}.',
    );
  }
  const compact = compactJson(text);
  const bad = [...compact].find((c) => !/[\t\n\r\u0020-\u00FF]/.test(c));
  if (bad !== undefined) {
    throw usageError(
      `${what} has a character AWS does not accept in a session policy: ${describeCharacter(bad)} (only tab, newline, carriage return and U+0020..U+00FF).`,
      'Write it as a \\uXXXX escape inside the JSON string.',
    );
  }
  if (compact.length > MAX_SESSION_POLICY_LENGTH) {
    throw usageError(
      `${what} is ${compact.length} characters without whitespace; AWS allows ${MAX_SESSION_POLICY_LENGTH}.`,
      'Shorten it (wildcards, fewer statements), or put the permissions into a managed policy and pass its ARN as a session policy instead.',
    );
  }
  return compact as SessionPolicy;
}

/** The JSON text without whitespace outside strings; strings are kept byte for byte. */
export function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      out += c;
    }
  }
  return out;
}

/** IAM managed policy ARNs: `arn:PARTITION:iam::ACCOUNT|aws:policy/[path/]name`. */
const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;

/** Managed session policies: at most 10 IAM policy ARNs, each once (the partition is checked against the source's later). */
export function parsePolicyArns(arns: readonly string[], what = 'PolicyArns'): PolicyArn[] {
  const unique = [...new Set(arns)];
  if (unique.length > MAX_POLICY_ARNS) {
    throw usageError(
      `${what}: ${unique.length} managed session policies; AWS allows at most ${MAX_POLICY_ARNS}.`,
      'Pass fewer, or combine them into one managed policy.',
    );
  }
  for (const arn of unique) {
    if (!POLICY_ARN.test(arn) || arn.length > 2048) {
      throw usageError(
        `${what} "${arn}" is not the ARN of an IAM managed policy.`,
        'Use an ARN like arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/name.',
      );
    }
  }
  return unique as PolicyArn[];
}

/** The partition of a policy ARN (valid by {@link parsePolicyArns}). */
export function policyArnPartition(arn: PolicyArn): string {
  return parseArn(arn)?.partition ?? 'aws';
}

/** A managed session policy lives in one partition: one of another than `region`'s is refused before any call. */
export function refuseOtherPartitionPolicies(arns: readonly PolicyArn[] | undefined, region: string): void {
  const partition = partitionOfRegion(region);
  const foreign = arns?.find((arn) => policyArnPartition(arn) !== partition);
  if (!foreign) return;
  throw usageError(
    `${foreign} is a policy of partition ${policyArnPartition(foreign)}, but the session is made in ${region} (partition ${partition}).`,
    `Use the policy's ${partition} ARN (arn:${partition}:iam::...).`,
  );
}

function describeCharacter(c: string): string {
  const code = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `${code} (${c})` : code;
}
