import type { NextFunction, Request, Response } from 'express';
import type passport from 'passport';

// passport.authenticate with a custom callback, as a promise. Strategies may call back
// more than once on some failure paths (ldapauth-fork emits 'error' and also fails the
// pending operation); only the first outcome counts.

export type StrategyOutcome =
  | { kind: 'success'; user: unknown }
  | { kind: 'fail'; info: unknown; status: number | undefined }
  | { kind: 'error'; error: unknown };

export function runStrategy(pp: passport.Authenticator, name: string, req: Request, res: Response): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: StrategyOutcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const handler = pp.authenticate(name, { session: false, failWithError: false }, (err: unknown, user: unknown, info: unknown, status: unknown) => {
      if (err) settle({ kind: 'error', error: err });
      else if (user) settle({ kind: 'success', user });
      else settle({ kind: 'fail', info, status: typeof status === 'number' ? status : undefined });
    }) as (req: Request, res: Response, next: NextFunction) => void;
    handler(req, res, (err?: unknown) => settle({ kind: 'error', error: err ?? new Error('strategy passed the request on') }));
  });
}
