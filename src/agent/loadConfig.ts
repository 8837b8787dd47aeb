import { resolve } from 'node:path';
import type { AgentConfig } from './config.js';
import { checkConfig } from './configChecks.js';
import { AgentConfigError, type ConfigIssue } from './configError.js';
import { parseConfigFile, schemaIssues } from './configFile.js';
import { defaultStateDir } from './stateDir.js';

/** What loading a config reads besides the file. */
export interface LoadConfigOptions {
  /** Read for the default state directory (`XDG_STATE_HOME`). */
  env: NodeJS.ProcessEnv;
  /** A relative config path is relative to this. */
  cwd: string;
  /** The user's id (root gets /var/lib/tempcreds/agent); default this process's. */
  uid?: number;
  /** The home folder (default the user's). */
  home?: string;
}

/**
 * Reads, parses and checks an agent config (YAML or JSON): the schema first
 * (schema/agent.schema.json), then what a schema cannot say. Throws an `AgentConfigError` (exit 2)
 * with every issue, each at its file:line:column with a fix. Writes nothing.
 */
export function loadAgentConfig(file: string, options: LoadConfigOptions): AgentConfig {
  const path = resolve(options.cwd, file);
  const parsed = parseConfigFile(path, options.cwd);
  if (Array.isArray(parsed)) throw new AgentConfigError(parsed);
  const fromSchema = schemaIssues(parsed);
  if (fromSchema.length > 0) throw new AgentConfigError(byPlace(fromSchema));
  const uid = options.uid ?? process.getuid?.();
  const { config, issues } = checkConfig(parsed, {
    stateDir: defaultStateDir(options.env, uid, options.home),
  });
  if (issues.length > 0) throw new AgentConfigError(byPlace(issues));
  return config;
}

/** Issues in the order of the file (line, then column). */
function byPlace(issues: ConfigIssue[]): ConfigIssue[] {
  const key = (i: ConfigIssue) => (/:(\d+):(\d+)$/.exec(i.where) ?? []).slice(1).map(Number);
  return [...issues].sort((a, b) => {
    const [la = 0, ca = 0] = key(a);
    const [lb = 0, cb = 0] = key(b);
    return la - lb || ca - cb;
  });
}
