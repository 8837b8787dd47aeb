/** INI texts and helpers shared by the config tests. */
import { TempcredsError } from '../../../src/errors.js';

/**
 * A config file as people really have them: comments everywhere, odd spacing, nesting, a header
 * that is no profile to botocore (`[ profile  spaced ]`: the name keeps its spaces).
 */
export const REALISTIC_CONFIG = [
  '# ~/.aws/config, kept by hand',
  '; an old-style comment',
  '',
  '[default]',
  'region = cn-northwest-1',
  'output=json',
  'cli_pager =',
  's3 =',
  '    max_concurrent_requests = 20',
  '    # tuned for the office link',
  '',
  '    multipart_threshold = 64MB',
  '',
  '  ; an indented comment',
  'CLI_Timestamp_Format = iso8601',
  '[profile sts_user]',
  'region = cn-northwest-1   ',
  'role_arn = arn:aws-cn:iam::123456789012:role/target-role # not a comment',
  'external_id=a=b=c',
  'sso_start_url: https://corp.awsapps.com/start#/',
  '',
  '[ profile  spaced ]  # a header comment',
  'region\t=\tus-west-2',
  '',
  '[profile tabbed]',
  '\tregion = eu-west-1',
  '\toutput = text',
  '',
  '[sso-session corp]',
  'sso_region = us-east-1',
  '',
  '# the end',
  '',
].join('\n');

export const REALISTIC_CREDENTIALS = [
  '# keys for the sts user',
  '[sts_user]',
  'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
  'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  '',
  '[default]',
  'aws_access_key_id=AKIADEFAULTEXAMPLE00',
  'aws_secret_access_key=defaultSecretdefaultSecretdefaultSecret0',
  '',
].join('\n');

/** The given lines, each ended with `eol`. */
export function lines(eol: string, ...texts: string[]): string {
  return texts.map((text) => text + eol).join('');
}

/**
 * What changed between two texts, line by line: the lines between the longest common head and
 * tail. An edit that "changes nothing else" shows only its own lines here.
 */
export function changed(before: string, after: string): { removed: string[]; added: string[] } {
  const split = (text: string) => text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
  const [a, b] = [split(before), split(after)];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a.at(-1 - tail) === b.at(-1 - tail)) tail++;
  return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
}

/** The usage error (exit 2) that `run` throws; fails the test when it throws none or another. */
export function usageErrorOf(run: () => unknown): TempcredsError {
  try {
    run();
  } catch (err) {
    if (err instanceof TempcredsError && err.kind === 'usage') return err;
    throw err;
  }
  throw new Error('expected a usage error');
}
