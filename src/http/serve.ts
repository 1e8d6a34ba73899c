import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../lib/logger.ts';

export interface Serving {
  server: Server;
  /** Stops accepting connections, lets in-flight requests finish (up to timeoutMs), then resolves. */
  stop(reason: string): Promise<void>;
}

export function serve(app: Express, opts: { port: number; host: string; shutdownTimeoutMs: number }, logger: Logger): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const server = app.listen(opts.port, opts.host, (err?: Error) => {
      if (err) return reject(err);
      let stopping: Promise<void> | undefined;
      const stop = (reason: string) => {
        stopping ??= new Promise<void>((done) => {
          logger.info({ reason }, 'shutting down: finishing in-flight requests');
          const force = setTimeout(() => {
            logger.warn('in-flight requests did not finish in time; closing connections');
            server.closeAllConnections();
          }, opts.shutdownTimeoutMs);
          force.unref();
          // Keep-alive sockets would hold close() open until their timeout: close each one
          // as soon as it is idle (its in-flight request answered).
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          server.close(() => {
            clearTimeout(force);
            clearInterval(sweep);
            done();
          });
          server.closeIdleConnections();
        });
        return stopping;
      };
      resolve({ server, stop });
    });
    server.on('error', reject);
  });
}
