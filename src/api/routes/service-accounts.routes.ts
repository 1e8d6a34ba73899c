import { Router, type Request, type Response } from 'express';
import { createServiceAccountKey, listServiceAccountKeys, revokeServiceAccountKey, type ServiceAccountKeyInfo } from '../../domain/service-account-keys.ts';
import { createServiceAccount, deleteServiceAccount, getServiceAccount, listServiceAccounts, type ServiceAccountView } from '../../domain/service-accounts.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command } from '../command.ts';
import { notFound } from '../errors.ts';
import { UUID } from '../ids.ts';
import { assertCan, decide, orgScopeOf } from '../scope.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './projects.schema.ts';
import * as a from './service-accounts.schema.ts';

// Service accounts (SPEC §1): a team's are managed by its team admins and the organization's
// admins; the organization's own only by organization admins. Keys are shown once.

const keyView = (k: ServiceAccountKeyInfo) => ({
  id: k.id,
  label: k.label,
  createdAt: iso(k.createdAt),
  expiresAt: iso(k.expiresAt),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});
const view = (a: ServiceAccountView | (ServiceAccountView & { team_name?: string | null }), keys: ServiceAccountKeyInfo[] = []) => ({
  id: a.id,
  name: a.name,
  team: a.team_id,
  teamName: a.team_name ?? null,
  createdAt: iso(a.created_at),
  keys: keys.map(keyView),
});

function idParam(req: Request, name: 'account' | 'key'): string {
  const id = String(req.params[name] ?? '');
  if (!UUID.test(id)) throw notFound(name === 'account' ? 'service account' : 'service account key');
  return id;
}

/** Organization admins manage every account; a team's admins their team's. */
const managers = (teamId: string | null): Parameters<typeof decide>[1] => (teamId ? ['org.serviceAccounts.manage', 'team.settings.manage'] : ['org.serviceAccounts.manage']);
const scopeOf = (orgId: string, teamId: string | null) => ({ orgId, ...(teamId ? { teamId } : {}) });
const manage = (req: Request, res: Response, teamId: string | null) => assertCan(req, res, managers(teamId), (_r, sc) => scopeOf(sc.org.id, teamId));

export function serviceAccountRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });
  /** The path's service account, of this organization, that the caller may manage (else 404/403). */
  const managedAccount = async (req: Request, res: Response) => {
    const a = await getServiceAccount(deps.db, orgScopeOf(res).org.id, idParam(req, 'account'));
    manage(req, res, a.team_id);
    return a;
  };

  r.get(
    '/service-accounts',
    doc({
      summary: 'List service accounts',
      description:
        "Any active member, who sees the accounts they may manage: organization admins every one, team admins their teams' (anyone else an empty list). Each with its keys (never their secrets).",
      tag: 'Service accounts',
      responses: { 200: { description: 'The live service accounts, oldest first.', body: a.serviceAccountList } },
    }),
    async (_req, res) => {
    const { org, principal } = orgScopeOf(res);
    const rows = (await listServiceAccounts(deps.db, org.id)).filter((a) =>
      decide(principal, managers(a.team_id), scopeOf(org.id, a.team_id)).allowed,
    );
    const keys = await listServiceAccountKeys(deps.db, org.id, rows.map((a) => a.id));
    res.json({ items: rows.map((a) => view(a, keys.filter((k) => k.serviceAccountId === a.id))) });
  });

  r.post(
    '/service-accounts',
    doc({
      summary: 'Create a service account',
      description:
        "For a team (`team`): that team's admins and organization admins. For the organization (no `team`): organization admins only. A service account uses no seat and is not a SCIM User; make it a key to use it.",
      tag: 'Service accounts',
      responses: { 201: { description: 'The service account, without keys (Location names it).', body: a.serviceAccount, headers: LOCATION } },
    }),
    validate(s.createServiceAccount), async (req, res) => {
    const body = input(res, s.createServiceAccount);
    manage(req, res, body.team ?? null);
    const a = await command(deps, res, (tx, o) => createServiceAccount(tx, o.id, { name: body.name, teamId: body.team ?? null }));
    // The list names the team; so does the answer to a create (the domain checked it is this organization's).
    const team = a.team_id ? await deps.db('teams').where({ id: a.team_id, org_id: orgScopeOf(res).org.id }).first('name') : undefined;
    res.status(201).location(`${req.baseUrl}/service-accounts/${a.id}`).json(view({ ...a, team_name: team?.name ?? null }));
  });

  r.delete(
    '/service-accounts/:account',
    doc({
      summary: 'Delete a service account',
      description: "A team's account: that team's admins and organization admins; the organization's: organization admins. Its keys are revoked with it.",
      tag: 'Service accounts',
      responses: { 204: { description: 'Deleted.' } },
    }),
    async (req, res) => {
    const a = await managedAccount(req, res);
    await command(deps, res, (tx, o) => deleteServiceAccount(tx, o.id, a.id));
    res.status(204).end();
  });

  r.post(
    '/service-accounts/:account/keys',
    doc({
      summary: 'Make a service-account key',
      description:
        "A team's account: that team's admins and organization admins; the organization's: organization admins. The answer carries the secret (`key`, obsak_…) this once: only its hash is kept, so it cannot be shown again. `expiresInDays` (1–3650) makes it expire; without it, it does not. The platform presents the key to the decision API; it never opens the admin API.",
      tag: 'Service accounts',
      responses: { 201: { description: 'The key with its secret, shown only here (Location names it).', body: a.createdServiceAccountKey, headers: LOCATION } },
    }),
    validate(s.createServiceKey), async (req, res) => {
    const a = await managedAccount(req, res);
    const body = input(res, s.createServiceKey);
    const now = deps.now?.() ?? new Date();
    const { key, info } = await command(deps, res, (tx, o) => createServiceAccountKey(tx, o.id, a.id, { label: body.label, expiresInDays: body.expiresInDays ?? null, now }));
    res.status(201).location(`${req.baseUrl}/service-accounts/${a.id}/keys/${info.id}`).json({ ...keyView(info), key });
  });

  r.delete(
    '/service-accounts/:account/keys/:key',
    doc({
      summary: 'Revoke a service-account key',
      description: "A team's account: that team's admins and organization admins; the organization's: organization admins. 404 when the key is already revoked.",
      tag: 'Service accounts',
      responses: { 204: { description: 'Revoked.' } },
    }),
    async (req, res) => {
    const a = await managedAccount(req, res);
    const keyId = idParam(req, 'key');
    await command(deps, res, (tx, o) => revokeServiceAccountKey(tx, o.id, a.id, keyId));
    res.status(204).end();
  });

  return r;
}
