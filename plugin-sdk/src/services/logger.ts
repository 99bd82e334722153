import pino, { type Logger } from 'pino';
import { currentScope } from '../context.ts';
import { currentTraceIds } from './tracing.ts';

export type { Logger };

/** JSON lines; every line carries the plugin id and the current correlation id (and trace/span id when tracing). */
export function createLogger(
  opts: { name?: string; level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino(
    {
      name: opts.name ?? 'carbon-nexus',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const scope = currentScope();
        const ids = currentTraceIds(); // undefined unless tracing is on and a span is active
        if (!scope) return ids ?? {};
        return ids ? { correlationId: scope.correlationId, ...ids } : { correlationId: scope.correlationId };
      },
    },
    opts.destination,
  );
}
