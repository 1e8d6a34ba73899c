import { pino, type Logger } from 'pino';

export type { Logger };

// Secrets never reach the log: bearer tokens, cookies, passwords, session data,
// authorization codes and anything that looks like a credential field.
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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'orgbridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}
