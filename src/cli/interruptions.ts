/** Exit code of a run that a signal interrupted (128 + SIGINT), whichever signal it was. */
export const INTERRUPTED_EXIT_CODE = 130;

/** What Ctrl-C and SIGTERM do to a command that winds down before it ends (firehose put, s3 sync). */
export interface Interruptions {
  /** The first signal: wind down (firehose: send what was read; s3: stop, abort multipart uploads). */
  readonly stop: AbortSignal;
  /** The second: abort the calls in flight too, and end at once. */
  readonly abort: AbortSignal;
  /** Starts listening to the signals, when made `deferred`. */
  listen(): void;
  dispose(): void;
}

export interface InterruptionHooks {
  /** Where the signals come from (default: this process). */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Called on the first signal, to say what happens now. */
  onStop(): void;
  /**
   * Ends the process: on a third signal, or when the second could not finish within `graceMs`.
   * The handlers are removed first, so the hook may end the process by raising a signal.
   */
  forceExit(): void;
  graceMs?: number;
  /** Listen only once `listen()` is called (till then a signal does what it always does). */
  deferred?: boolean;
}

/**
 * Ctrl-C (or SIGTERM) once winds the command down; twice stops it at once, leaving `graceMs` for
 * what must still be written or rolled back (firehose's failed-records file, s3's multipart aborts);
 * should that hang, or a third signal come, `forceExit` ends the process.
 */
export function interruptions(hooks: InterruptionHooks): Interruptions {
  const signals = hooks.signals ?? process;
  const stop = new AbortController();
  const abort = new AbortController();
  let received = 0;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const onSignal = () => {
    received += 1;
    if (received === 1) {
      stop.abort();
      hooks.onStop();
    } else if (received === 2) {
      abort.abort();
      // Kept referenced: it must fire even if nothing else keeps the process alive; dispose clears it.
      deadline = setTimeout(forceExit, hooks.graceMs ?? 2000);
    } else forceExit();
  };
  const forceExit = () => {
    dispose(); // the signals' default action is back, for a hook that ends the process with one
    hooks.forceExit();
  };
  const dispose = () => {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    clearTimeout(deadline);
  };
  let listening = false;
  const listen = () => {
    if (listening) return;
    listening = true;
    signals.on('SIGINT', onSignal);
    signals.on('SIGTERM', onSignal);
  };
  if (!hooks.deferred) listen();
  return { stop: stop.signal, abort: abort.signal, listen, dispose };
}

/**
 * The last resort of `forceExit`: die of SIGINT. Not process.exit, which waits for a write stuck in
 * libuv's thread pool (a FIFO nobody reads); a shell sees 130 all the same.
 */
export function dieOfSigint(): void {
  process.kill(process.pid, 'SIGINT');
}
