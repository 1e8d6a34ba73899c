import { Router, type RequestHandler } from 'express';
import { findAccount, findAccountByEmail } from '../../domain/accounts.ts';
import { runInTransaction } from '../../domain/context.ts';
import { listIdentities, unlinkExternalIdentity } from '../../domain/external-identities.ts';
import type { AccountRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { callerOf } from '../auth.ts';
import { forbidden, notFound } from '../errors.ts';
import { UUID } from '../ids.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './accounts.schema.ts';

// Accounts and their sign-in identities, for the repair of a refused sign-in (an identity
// unlinked, so that the next sign-in links again by the usual rules). Accounts belong to
// no organization, so this is the instance's business: system admins only, never an
// organization's admin or key (they would reach people of other organizations).

async function accountView(deps: AppDeps, a: AccountRow) {
  const identities = await listIdentities(deps.db, a.id);
  return {
    id: a.id,
    email: a.email,
    displayName: a.display_name,
    systemAdmin: a.system_admin,
    lastSignInAt: iso(a.last_sign_in_at),
    identities: identities.map((i) => ({ provider: i.provider, externalId: i.external_id, createdAt: iso(i.created_at), lastSeenAt: iso(i.last_seen_at) })),
  };
}

export function accountRoutes(deps: AppDeps): Router {
  const r = Router();
  const systemAdminOnly: RequestHandler = async (_req, res, next) => {
    const caller = callerOf(res);
    if (caller.kind !== 'session') return next(forbidden('Not allowed: accounts are managed by a signed-in system admin.'));
    const me = await findAccount(deps.db, caller.accountId);
    // A session through a provider trusted for some organizations only is no instance admin (src/sso/trust.ts).
    if (!me?.system_admin || (caller.trust && caller.trust.orgSlugs !== null)) return next(forbidden('Not allowed: only a system admin manages accounts and their sign-in identities.'));
    next();
  };
  const accountParam = async (id: string): Promise<AccountRow> => {
    const a = UUID.test(id) ? await findAccount(deps.db, id) : undefined;
    if (!a) throw notFound('account');
    return a;
  };

  r.get('/accounts', systemAdminOnly, validate(s.findAccount, 'query'), async (_req, res) => {
    const { email } = input(res, s.findAccount, 'query');
    const a = await findAccountByEmail(deps.db, email);
    res.json({ items: a ? [await accountView(deps, a)] : [] });
  });

  r.get('/accounts/:account', systemAdminOnly, async (req, res) => {
    res.json(await accountView(deps, await accountParam(String(req.params.account))));
  });

  r.delete('/accounts/:account/identities', systemAdminOnly, validate(s.identity), async (req, res) => {
    const a = await accountParam(String(req.params.account));
    const { provider, externalId } = input(res, s.identity);
    await runInTransaction(deps.db, callerOf(res).actor, (tx) => unlinkExternalIdentity(tx, a.id, provider, externalId));
    res.status(204).end();
  });

  return r;
}
