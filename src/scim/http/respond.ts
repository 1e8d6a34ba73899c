import type { Response } from 'express';
import { SCIM_MEDIA_TYPE } from '../constants.ts';

/** Writes a core response: application/scim+json, headers, no body on 204. */
export function send(res: Response, r: { status: number; headers?: Record<string, string> | undefined; body?: unknown }): void {
  res.status(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
  if (r.status === 204 || r.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', `${SCIM_MEDIA_TYPE}; charset=utf-8`);
  res.end(JSON.stringify(r.body));
}
