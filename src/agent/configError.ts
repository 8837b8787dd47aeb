import { TempcredsError } from '../errors.js';

/** One thing wrong with a config file, where it is, and what to write instead. */
export interface ConfigIssue {
  /** `agent.yaml:12:7` (1-based line and column), or the file alone when no place applies. */
  where: string;
  /** What is wrong there. */
  message: string;
  /** What to write instead. */
  fix: string;
}

/** `file:line:col: message` then `  fix: ...`, one pair per issue: what `agent check` prints. */
export function formatIssues(issues: readonly ConfigIssue[]): string[] {
  return issues.flatMap((i) => [`${i.where}: ${i.message}`, `  fix: ${i.fix}`]);
}

/**
 * A config that cannot run (exit 2), with every issue found. Its message and fix are the first
 * issue's, so a caller that prints only those still says where and what; `issues` has them all.
 */
export class AgentConfigError extends TempcredsError {
  /** Every issue found, in the order of the file. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`${first.where}: ${first.message}${more}`, { kind: 'usage', fix: first.fix });
    this.issues = issues;
  }
}
