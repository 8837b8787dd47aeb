import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { interruptions } from '../../../src/cli/interruptions.js';

/** The CLI's reaction to SIGINT/SIGTERM, driven by a stand-in for `process` and the fake clock. */
function setup() {
  const signals = new EventEmitter();
  const calls: string[] = [];
  const handle = interruptions({
    signals,
    onStop: () => calls.push('stop'),
    forceExit: () => calls.push('exit'),
    graceMs: 2000,
  });
  return { signals, calls, handle };
}

describe('interruptions (Ctrl-C and SIGTERM of firehose put and s3 sync)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the first signal winds down: stop aborts, abort does not, and it is said once', () => {
    const { signals, calls, handle } = setup();
    signals.emit('SIGINT');
    expect(handle.stop.aborted).toBe(true);
    expect(handle.abort.aborted).toBe(false);
    expect(calls).toEqual(['stop']);
  });

  it('SIGTERM counts as SIGINT, and the second of either stops at once', () => {
    const { signals, calls, handle } = setup();
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    expect(handle.abort.aborted).toBe(true);
    expect(calls).toEqual(['stop']);
    handle.dispose();
  });

  it('after the second signal the run has graceMs to finish before the process is ended', () => {
    vi.useFakeTimers();
    const { signals, calls } = setup();
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    vi.advanceTimersByTime(1999);
    expect(calls).toEqual(['stop']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['stop', 'exit']);
  });

  it('a run that finishes in time disposes of the deadline; a third signal ends the process at once', () => {
    vi.useFakeTimers();
    const finished = setup();
    finished.signals.emit('SIGINT');
    finished.signals.emit('SIGINT');
    finished.handle.dispose();
    vi.advanceTimersByTime(10_000);
    expect(finished.calls).toEqual(['stop']);
    expect(vi.getTimerCount()).toBe(0);

    const stuck = setup();
    stuck.signals.emit('SIGINT');
    stuck.signals.emit('SIGINT');
    stuck.signals.emit('SIGINT');
    expect(stuck.calls).toEqual(['stop', 'exit']);
    // Removed before forceExit, so that it may end the process by raising the signal itself.
    expect(stuck.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('dispose lets signals go back to their default', () => {
    const { signals, handle } = setup();
    expect(signals.listenerCount('SIGINT')).toBe(1);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    handle.dispose();
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });
});
