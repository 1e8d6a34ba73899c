import { Router, type RequestHandler } from 'express';
import { findAccount, findAccountByEmail } from '../../domain/accounts.ts';
import { runInTransaction } from '../../domain/context.ts';
import { listIdentities, unlinkExternalIdentity } from '../../domain/external-identities.ts';
import type { AccountRow } from '../../domain/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { callerOf } from '../auth.ts';
import { forbidden, notFound } from '../errors.ts';
import { UUID } from '../ids.ts';
import { doc } from '../openapi/doc.ts';
import { input, validate } from '../validate.ts';
import { list } from '../views.schema.ts';
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

  r.get(
    '/accounts',
    doc({
      summary: 'Find an account by email',
      description: "A system admin signed in (a session through a provider trusted for every organization); refused to API keys and to everyone else. Accounts belong to no organization. The account holding this email, with its sign-in identities: none or one.",
      tag: 'Accounts',
      responses: { 200: { description: 'The account found, if any.', body: list(s.account) } },
    }),
    systemAdminOnly, validate(s.findAccount, 'query'), async (_req, res) => {
    const { email } = input(res, s.findAccount, 'query');
    const a = await findAccountByEmail(deps.db, email);
    res.json({ items: a ? [await accountView(deps, a)] : [] });
  });

  r.get(
    '/accounts/:account',
    doc({
      summary: 'Read an account',
      description: "A system admin signed in (a session through a provider trusted for every organization); refused to API keys and to everyone else. The account with its sign-in identities.",
      tag: 'Accounts',
      responses: { 200: { description: 'The account.', body: s.account } },
    }),
    systemAdminOnly, async (req, res) => {
    res.json(await accountView(deps, await accountParam(String(req.params.account))));
  });

  r.delete(
    '/accounts/:account/identities',
    doc({
      summary: 'Unlink a sign-in identity',
      description: "A system admin signed in (a session through a provider trusted for every organization); refused to API keys and to everyone else. Unlinks one identity (provider and externalId) from the account, to repair a refused sign-in: the next sign-in through it links again by the usual rules. The sessions that identity signed in end.",
      tag: 'Accounts',
      responses: { 204: { description: 'Unlinked.' } },
    }),
    systemAdminOnly, validate(s.identity), async (req, res) => {
    const a = await accountParam(String(req.params.account));
    const { provider, externalId } = input(res, s.identity);
    await runInTransaction(deps.db, callerOf(res).actor, (tx) => unlinkExternalIdentity(tx, a.id, provider, externalId));
    res.status(204).end();
  });

  return r;
}
