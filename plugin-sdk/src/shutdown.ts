// One shutdown path for every process (the embedded product, a gateway replica, a subgraph): the first SIGTERM or
// SIGINT runs the server's own close() — stop accepting, finish in-flight requests and jobs, close subscriptions with
// 1001, drain plugins — then exits 0. A second signal, or a drain that overruns SHUTDOWN_TIMEOUT_SECONDS, exits 1.
// Apollo Server's own signal handler is switched off where servers are built (stopOnTerminationSignals: false):
// it would stop Apollo first and re-raise the signal, cutting in-flight requests.
import type { Logger } from './services/logger.ts';

export interface ShutdownOptions {
  logger: Logger;
  /** Upper bound on the whole drain (default SHUTDOWN_TIMEOUT_SECONDS, else 25 s: inside Kubernetes' default 30 s grace). */
  timeoutMs?: number;
  signals?: NodeJS.Signals[];
  /** For tests; default process.exit. */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns a function that removes them. */
export function exitOnShutdownSignals(close: () => Promise<void>, opts: ShutdownOptions): () => void {
  const { logger } = opts;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = opts.timeoutMs ?? Number(process.env.SHUTDOWN_TIMEOUT_SECONDS ?? 25) * 1000;
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      return exit(1);
    }
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down: no new connections; finishing in-flight requests and jobs');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
      exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        clearTimeout(timer);
        logger.info({ ms: Date.now() - started }, 'shutdown complete');
        exit(0);
      },
      (err) => {
        clearTimeout(timer);
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}

let guarded = false;

/**
 * A rejected promise nobody awaited must not take the whole process (and every other request) down with it: it is
 * logged as an error with its stack and the process keeps serving. Uncaught exceptions still end the process — its
 * state is unknown — and the supervisor (start:distributed, Kubernetes) restarts it.
 */
export function logUnhandledRejections(logger: Logger, onRejection?: () => void): void {
  if (guarded) return;
  guarded = true;
  process.on('unhandledRejection', (reason) => {
    onRejection?.();
    logger.error({ err: reason }, 'unhandled promise rejection (the process keeps serving)');
  });
}
