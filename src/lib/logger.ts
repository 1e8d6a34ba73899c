import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './log-scrub.ts';

export type { Logger };

// Secrets never reach the log: bearer tokens, cookies, passwords, session data,
// authorization codes and anything that looks like a credential field; and, in any
// string of any line, what src/lib/log-scrub.ts recognises as a secret.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.bindPassword',
  '*.clientSecret',
  '*.sessionSecret',
  '*.token',
  '*.secret',
  '*.code',
  '*.id_token',
  '*.access_token',
  '*.refresh_token',
  'config.sessionSecret',
  'config.ldap.bindPassword',
  'config.oidc[*].clientSecret',
  'config.databaseUrl',
];

/**
 * A destination that scrubs secrets from each line (src/lib/log-scrub.ts) before writing it:
 * applied to every line, whatever its level or caller.
 */
function scrubbing(destination: NodeJS.WritableStream | DestinationStream): DestinationStream {
  const target = destination as DestinationStream & { flush?: (cb?: (err?: Error) => void) => void };
  return {
    write: (line: string) => target.write(scrubSecrets(line)),
    ...(target.flush ? { flush: (cb?: (err?: Error) => void) => target.flush!(cb) } : {}),
  } as DestinationStream;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'orgbridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbing(destination ?? pino.destination(1)),
  );
}
