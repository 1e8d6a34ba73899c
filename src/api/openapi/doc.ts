import type { RequestHandler } from 'express';
import type { z } from 'zod';

// What a route says about itself, for the OpenAPI description (issue 16 item 5). A route
// carries it as a no-op middleware, `doc({...})`, first in its handler list; its request
// schemas come from the `validate()` handlers beside it, so the description cannot drift
// from what the route actually checks. The document is assembled in ./document.ts.

export interface ResponseDoc {
  /** What this answer means, for the person reading the API description. */
  description: string;
  /** The JSON body (the zod schema of what the route sends); omit for no body. */
  body?: z.ZodType;
  /** A body that is not JSON (CSV, NDJSON): its media type; described as text. */
  type?: string;
  /** Response headers the route always sets, with what they say (tests check they are sent). */
  headers?: Record<string, string>;
}

/** The header of every 201 that made something addressable. */
export const LOCATION = { Location: 'The URL of what was created.' };

export interface RouteDoc {
  /** One line, an imperative or a noun phrase ("List teams"). */
  summary: string;
  /** Who may call it and what it does, in sentences. */
  description: string;
  /** The group it is listed under. */
  tag: string;
  /** Success answers by status (errors share one shape and are added to every operation). */
  responses: Record<number, ResponseDoc>;
  /** The platform's credential (Bearer obplat_…) may call it as well as admins. */
  platform?: boolean;
  /** No credential needed (the description itself). */
  public?: boolean;
  /** Path parameters beyond the shared ones (document.ts names :org, :team, :user…). */
  params?: Record<string, string>;
}

export const DOC = Symbol('orgbridge.routeDoc');
export const INPUT = Symbol('orgbridge.routeInput');
export const ID_PARAMS = Symbol('orgbridge.idParams');

export type Part = 'body' | 'query' | 'params';
export type Documented = RequestHandler & { [DOC]?: RouteDoc; [INPUT]?: { part: Part; schema: z.ZodType }; [ID_PARAMS]?: string[] };

/** Marks a route with its description; does nothing at request time. */
export function doc(d: RouteDoc): RequestHandler {
  const h: Documented = (_req, _res, next) => next();
  h[DOC] = d;
  return h;
}
