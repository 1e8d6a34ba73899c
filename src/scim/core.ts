import type { Config } from '../config/schema.ts';
import type { Db } from '../db/connect.ts';
import type { Actor } from '../domain/context.ts';

// The SCIM core's whole interface: plain objects in, plain objects out. Express (or a
// Bulk operation, or a test) builds a ScimRequest; nothing here knows about HTTP servers.

export type ScimLimits = Config['scim'];

export interface ScimContext {
  db: Db;
  orgId: string;
  actor: Actor;
  limits: ScimLimits;
  /** Absolute base URL the client used, e.g. https://host/scim/v2 (for Location, $ref). */
  baseUrl: string;
  /** Reports an unexpected failure that was answered (e.g. inside a Bulk operation). */
  log?: (err: unknown) => void;
}

export interface ScimRequest {
  method: string;
  /** Path below the base, e.g. "/Users/4f…". */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
}

export interface ScimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export const limitsForFilter = (l: ScimLimits) => ({ maxLength: l.maxFilterLength, maxDepth: l.maxFilterDepth });
export const limitsForPatch = (l: ScimLimits) => ({ ...limitsForFilter(l), maxOperations: l.maxPatchOperations });
