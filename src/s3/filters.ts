/**
 * `--exclude` / `--include` as the AWS CLI applies them (awscli/customizations/s3/filters.py):
 * every file starts included, each rule that matches sets its fate, so later rules win. Patterns
 * are Python `fnmatch` globs matched against the whole path below the sync root: `*` crosses `/`,
 * `?` is one character, `[abc]`, `[a-z]` and `[!abc]` are classes, and there is no escape character.
 */

/** One `--exclude` or `--include` rule. */
export interface FilterRule {
  /** `exclude` leaves matching keys out, `include` takes them back in; the last matching rule wins. */
  type: 'include' | 'exclude';
  /** An `fnmatch` glob matched against the whole path below the sync root (`*` crosses `/`). */
  pattern: string;
}

/** Decides whether a key (relative to its sync root, `/`-separated) takes part in the sync. */
export type KeyFilter = (key: string) => boolean;

const escapeChar = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

/** The body of a `[...]` class (between the brackets) as a RegExp class, as fnmatch.translate does. */
function translateClass(body: string): string {
  let negate = false;
  let chars = [...body];
  if (chars[0] === '!') {
    negate = true;
    chars = chars.slice(1);
  }
  if (chars.length === 0) return negate ? '[^]' : '(?!)';
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const from = chars[i]!;
    const to = chars[i + 2];
    if (chars[i + 1] === '-' && to !== undefined) {
      // Python drops ranges that run backwards (`[z-a]`) instead of failing.
      if (from.codePointAt(0)! <= to.codePointAt(0)!) out += `${escapeChar(from)}-${escapeChar(to)}`;
      i += 2;
    } else {
      out += escapeChar(from);
    }
  }
  if (out === '') return negate ? '[^]' : '(?!)';
  return `[${negate ? '^' : ''}${out}]`;
}

/** Python's `fnmatch.translate`, as a RegExp matching the whole string. */
export function globToRegExp(pattern: string): RegExp {
  const chars = [...pattern];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      out += '[^]*';
    } else if (c === '?') {
      out += '[^]';
    } else if (c === '[') {
      // The class ends at the first `]` that is not its first member (`[]a]`, `[!]a]`).
      let j = i + 1;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j >= chars.length) {
        out += escapeChar('[');
      } else {
        out += translateClass(chars.slice(i + 1, j).join(''));
        i = j;
      }
    } else {
      out += escapeChar(c);
    }
  }
  return new RegExp(`^(?:${out})$`, 'u');
}

/**
 * A filter for keys relative to the sync root. The AWS CLI joins each pattern to the root of the
 * source (and of the destination) and matches full paths; matching relative keys is the same
 * except for roots that themselves contain `*`, `?` or `[`, which the AWS CLI misreads as globs.
 */
export function createKeyFilter(rules: readonly FilterRule[]): KeyFilter {
  if (rules.length === 0) return () => true;
  const compiled = rules.map((rule) => ({
    include: rule.type === 'include',
    re: globToRegExp(rule.pattern),
  }));
  return (key) => {
    let included = true;
    for (const rule of compiled) if (rule.re.test(key)) included = rule.include;
    return included;
  };
}
