import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';

/*
 * One agent per state directory: `agent.pid` holds the pid and the process's start time (from
 * /proc, so a reused pid is not taken for the agent). A file left by a killed agent is stale at
 * once: the next start takes over without waiting.
 */

const pidPath = (stateDir: string) => join(stateDir, 'agent.pid');

/** The process's start time in clock ticks since boot (Linux); undefined elsewhere or when gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the agent running on `stateDir`, or undefined. */
export function runningAgent(stateDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidPath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, started] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const now = startTime(pid);
  if (started && now !== undefined && now !== started) return undefined;
  return pid;
}

/** Claims `stateDir` for this process; refuses (exit 2) while another agent runs on it. Returns the release. */
export function claimStateDir(stateDir: string): () => void {
  const other = runningAgent(stateDir);
  if (other !== undefined && other !== process.pid) {
    throw usageError(
      `Another agent (pid ${other}) runs on ${stateDir}.`,
      `Stop it first (kill ${other}), or give this one another stateDir.`,
    );
  }
  const mine = `${process.pid} ${startTime(process.pid) ?? ''}\n`;
  writeFileSync(pidPath(stateDir), mine, { mode: 0o600 });
  return () => {
    try {
      if (readFileSync(pidPath(stateDir), 'utf8') === mine) rmSync(pidPath(stateDir));
    } catch {
      // already gone
    }
  };
}
