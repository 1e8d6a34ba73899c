import type { RequestHandler } from 'express';
import { isStorableText, unstorableIn } from '../lib/storable-text.ts';
import { badRequest } from './errors.ts';

// Strings PostgreSQL cannot store (U+0000, lone surrogates: src/lib/storable-text.ts) are
// refused with 400 before routing: in the path (an organization slug or a domain is looked
// up as text), the query string and the JSON body.

const decoded = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes name nothing; the route answers 404
  }
};

export const refuseUnstorable: RequestHandler = (req, _res, next) => {
  const at = !isStorableText(decoded(req.path)) ? 'path' : (unstorableIn(req.query, 'query') ?? unstorableIn(req.body, 'body'));
  if (at === null) return next();
  next(badRequest(`${at} holds a string PostgreSQL cannot store (U+0000 or a lone UTF-16 surrogate)`, { at }));
};
