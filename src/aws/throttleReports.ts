import type { MiddlewareStack } from '@smithy/types';

/**
 * Where an SDK client says that the service asked it to slow down, on every attempt, including
 * those the SDK's own retries answer quietly (a policy told only of what the SDK gave up on
 * would hear of throttling too late, or never). Clients built with it report; a run that adapts
 * its concurrency listens.
 */
export class ThrottleReports {
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` at every throttled attempt until the returned function is called. */
  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One attempt was throttled. */
  report(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * Adds to a client's middleware a step inside the SDK's retry loop (finalizeRequest, low
 * priority: after the retry middleware, before the request is sent) that tells `reports` of each
 * attempt that failed with an error `isThrottling` recognizes. Call before the client's first request.
 */
export function reportThrottling(
  client: { middlewareStack: MiddlewareStack<any, any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
  reports: ThrottleReports,
  isThrottling: (err: unknown) => boolean,
): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (isThrottling(err)) reports.report();
        throw err;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'tempcredsThrottleReports' },
  );
}
