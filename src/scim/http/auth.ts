import type { RequestHandler } from 'express';
import type { Db } from '../../db/connect.ts';
import type { Actor } from '../../domain/context.ts';
import { authenticateScimToken } from '../../domain/scim-tokens.ts';
import { unauthorized } from '../errors.ts';

// Bearer authentication on every SCIM route, discovery included (SPEC §4). The token
// decides the organization; authenticateScimToken compares digests in constant time.

export interface ScimPrincipal {
  orgId: string;
  actor: Actor;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const labels = new Map<string, string>();

async function labelOf(db: Db, tokenId: string): Promise<string> {
  let label = labels.get(tokenId);
  if (label === undefined) {
    const row = await db('scim_tokens').where({ id: tokenId }).first('label');
    label = String(row?.label ?? '');
    if (labels.size > 10_000) labels.clear();
    labels.set(tokenId, label);
  }
  return label;
}

export function scimAuth(db: Db): RequestHandler {
  return async (req, res, next) => {
    try {
      const m = BEARER.exec(req.get('authorization') ?? '');
      if (!m) throw unauthorized('a SCIM bearer token is required: Authorization: Bearer <token>');
      const auth = await authenticateScimToken(db, m[1]!);
      if (!auth) throw unauthorized('the bearer token is unknown or revoked');
      const principal: ScimPrincipal = {
        orgId: auth.orgId,
        actor: { type: 'scim', id: auth.tokenId, label: `scim token ${await labelOf(db, auth.tokenId)}` },
      };
      res.locals.scim = principal;
      next();
    } catch (err: unknown) {
      next(err);
    }
  };
}
