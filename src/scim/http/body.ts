import express, { type RequestHandler } from 'express';
import type { ScimLimits } from '../core.ts';
import { unstorableIn } from '../../lib/storable-text.ts';
import { invalidFilter, invalidValue, ScimError } from '../errors.ts';

// Request bodies: application/scim+json or application/json (RFC 7644 §3.1), capped
// before they are read (Content-Length) or while they stream; /Bulk has its own cap.
// Once parsed, a body holding a string PostgreSQL cannot store is 400 invalidValue.

const TYPES = ['application/scim+json', 'application/json'];

export function scimBody(limits: ScimLimits): RequestHandler {
  const normal = express.json({ type: TYPES, limit: limits.maxBodyBytes, strict: false });
  const bulk = express.json({ type: TYPES, limit: limits.bulkMaxPayloadBytes, strict: false });
  return (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(TYPES)) {
      next(new ScimError(415, null, `Content-Type must be application/scim+json or application/json, not ${req.get('content-type') ?? 'absent'}`));
      return;
    }
    (/^\/bulk\/?$/i.test(req.path) ? bulk : normal)(req, res, (err?: unknown) => {
      if (err) return next(err);
      // Strings PostgreSQL cannot store are refused here, for every resource and Bulk
      // operation at once, rather than failing in SQL (src/lib/storable-text.ts).
      const at = unstorableIn(req.body);
      if (at === null) return next();
      const detail = `${at} holds a string PostgreSQL cannot store (U+0000 or a lone UTF-16 surrogate)`;
      next(at === 'filter' && /\/\.search\/?$/i.test(req.path) ? invalidFilter(detail) : invalidValue(detail));
    });
  };
}
