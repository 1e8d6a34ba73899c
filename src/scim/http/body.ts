import express, { type RequestHandler } from 'express';
import type { ScimLimits } from '../core.ts';
import { ScimError } from '../errors.ts';

// Request bodies: application/scim+json or application/json (RFC 7644 §3.1), capped
// before they are read (Content-Length) or while they stream; /Bulk has its own cap.

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
    (/^\/bulk\/?$/i.test(req.path) ? bulk : normal)(req, res, next);
  };
}
