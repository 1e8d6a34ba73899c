// passport-ldapauth 3 ships no types; this covers what src/sso/ldap uses.
declare module 'passport-ldapauth' {
  import type { Request } from 'express';

  export interface LdapServerOptions {
    url: string;
    bindDN?: string;
    bindCredentials?: string;
    searchBase: string;
    searchFilter: string;
    searchScope?: 'base' | 'one' | 'sub';
    searchAttributes?: string[];
    /** ldapauth-fork: also hand the verify callback the raw values (Buffers) as `_raw`. */
    includeRaw?: boolean;
    groupSearchBase?: string;
    groupSearchFilter?: string;
    tlsOptions?: import('node:tls').ConnectionOptions;
    starttls?: boolean;
    timeout?: number;
    connectTimeout?: number;
    reconnect?: boolean;
  }

  export interface StrategyOptions {
    server: LdapServerOptions;
    usernameField?: string;
    passwordField?: string;
    passReqToCallback?: false;
    handleErrorsAsFailures?: boolean;
    missingCredentialsStatus?: number;
  }

  export type VerifyDone = (err: unknown, user?: unknown, info?: unknown) => void;

  class Strategy {
    constructor(
      options: StrategyOptions | ((req: Request, cb: (err: unknown, options?: StrategyOptions) => void) => void),
      verify?: (user: Record<string, unknown> & { _raw?: Record<string, unknown> }, done: VerifyDone) => void,
    );
    name: string;
    authenticate(req: Request, options?: unknown): void;
  }
  export default Strategy;
}
