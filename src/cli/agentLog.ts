import type { AgentEvent } from '../agent/events.js';
import type { CliIo, Redactor } from './io.js';

/** `levelOf` without loading the agent: which events are warnings or errors. */
type Level = 'info' | 'warn' | 'error';

const text = (value: unknown) => {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
};

/**
 * The agent's log: one line per event on stderr, JSON (`{"time","level","event",...}`) when stderr
 * is not a terminal (journald, files, log shippers), `time level event key=value ...` on one.
 * Every line goes through the redactor: no secret is ever written.
 */
export function agentLogger(
  io: CliIo,
  redactor: Redactor,
  levelOf: (e: AgentEvent) => Level,
): (event: AgentEvent) => void {
  const json = !io.stderr.isTTY;
  return (event) => {
    const { type, ...fields } = event;
    const time = new Date().toISOString();
    const level = levelOf(event);
    const line = json
      ? JSON.stringify({ time, level, event: type, ...fields })
      : `${time} ${level.padEnd(5)} ${type}${Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${text(v)}`)
          .join('')}`;
    io.stderr.write(redactor.redact(line) + '\n');
  };
}
