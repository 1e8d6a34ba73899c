import type { ScimRequest } from '../core.ts';
import { invalidSyntax } from '../errors.ts';
import { makeProjection, parseAttributeList, type Projection } from '../projection.ts';
import type { ResourceTypeDef } from '../schemas/index.ts';

/** A POST/PUT body must be an object listing the resource's core schema (RFC 7643 §3). */
export function requireSchema(body: unknown, urn: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidSyntax('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase())) {
    throw invalidSyntax(`request body must list the schema ${urn}`);
  }
  return b;
}

/** attributes / excludedAttributes of a single-resource request. */
export function projectionOf(req: ScimRequest, rt: ResourceTypeDef): Projection {
  return makeProjection(rt, parseAttributeList(req.query.attributes), parseAttributeList(req.query.excludedAttributes));
}
