import { Router } from 'express';
import { verifyDomain } from '../../domain/domain-verification.ts';
import { claimDomain, listDomains, normalizeDomain, releaseDomain } from '../../domain/domains.ts';
import { getOrganization, renameOrganization, setBillingAdmin, setDefaultTeam, setSeatLicense, updateOrganizationSettings } from '../../domain/organizations.ts';
import { invalid } from '../../domain/errors.ts';
import type { AppDeps } from '../../http/deps.ts';
import { createTxtResolver } from '../../lib/txt-resolver.ts';
import { callerOf } from '../auth.ts';
import { command } from '../command.ts';
import { authorize, orgScopeOf, requireMember } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { domainView, orgView } from '../views.ts';
import * as s from './orgs.schema.ts';

async function seatUsage(deps: AppDeps, orgId: string) {
  const rows = (await deps.db('memberships')
    .where({ org_id: orgId })
    .whereNot('status', 'deactivated')
    .groupBy('models_seat')
    .select('models_seat', deps.db.raw('count(*)::int as n'))) as { models_seat: string; n: number }[];
  const used = (seat: string) => rows.find((r) => r.models_seat === seat)?.n ?? 0;
  return { full: used('full'), viewer: used('viewer'), none: used('none') };
}

/** Organization: name, settings, domains, default team, seat license, billing admin. */
export function orgRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });
  const resolver = deps.txtResolver ?? createTxtResolver({ servers: deps.config.domains.dnsServers, timeoutMs: deps.config.domains.dnsTimeoutMs });
  const now = () => deps.now?.() ?? new Date();

  r.get('/', requireMember, async (_req, res) => {
    const { org } = orgScopeOf(res);
    res.json({
      ...orgView(org),
      domains: (await listDomains(deps.db, org.id)).map(domainView),
      seatsUsed: await seatUsage(deps, org.id),
      // What the deployment allows the organization to turn on (SPEC §5).
      deployment: { autoProvisioning: deps.config.autoProvisioning },
    });
  });

  r.patch('/', authorize('org.settings.manage'), validate(s.renameOrg, 'body', s.renameLabels), async (_req, res) => {
    const { name } = input(res, s.renameOrg);
    const org = await command(deps, res, (tx, o) => renameOrganization(tx, o.id, name));
    res.json(orgView(org));
  });

  r.patch('/settings', authorize('org.settings.manage'), validate(s.orgSettings), async (_req, res) => {
    const body = input(res, s.orgSettings);
    // An organization can only turn on what the deployment allows (SPEC §5): just-in-time
    // provisioning and domain capture both need the deployment's auto-provisioning switch.
    if (!deps.config.autoProvisioning) {
      const wanted = (['autoProvisioning', 'domainCapture'] as const).filter((k) => body[k] === true);
      if (wanted.length) throw invalid(`this deployment does not allow auto-provisioning, so ${wanted.join(' and ')} cannot be turned on`, { settings: wanted });
    }
    const org = await command(deps, res, (tx, o) => updateOrganizationSettings(tx, o.id, body));
    res.json(orgView(org));
  });

  r.get('/domains', authorize('org.domains.claim'), async (_req, res) => {
    res.json({ items: (await listDomains(deps.db, orgScopeOf(res).org.id)).map(domainView) });
  });

  // 201 and the TXT record to publish for a new (pending) claim; 200 and the claim as it
  // stands when the organization already holds it.
  r.post('/domains', authorize('org.domains.claim'), validate(s.claimDomain), async (req, res) => {
    const { domain } = input(res, s.claimDomain);
    const { refuse, pendingTtlDays } = deps.config.domains;
    const { claim, created } = await command(deps, res, (tx, o) => claimDomain(tx, o.id, domain, { refuse, pendingTtlDays, now: now() }));
    if (created) res.status(201).location(`${req.baseUrl}/domains/${claim.domain}`);
    res.json(domainView(claim));
  });

  // Looks up the TXT record now. Not found yet is a 200 with the claim still pending and
  // the reason in `check`: DNS answers are never errors of this request.
  r.post('/domains/:domain/verify', authorize('org.domains.claim'), async (req, res) => {
    const domain = normalizeDomain(String(req.params.domain));
    const { claim, check } = await verifyDomain(deps.db, callerOf(res).actor, orgScopeOf(res).org.id, domain, { resolver, now: now() });
    res.json({ ...domainView(claim), check: check && { verified: check.found, reason: check.found ? null : check.reason } });
  });

  r.delete('/domains/:domain', authorize('org.domains.claim'), async (req, res) => {
    const domain = normalizeDomain(String(req.params.domain));
    await command(deps, res, (tx, o) => releaseDomain(tx, o.id, domain));
    res.status(204).end();
  });

  r.put('/default-team', authorize('org.settings.manage'), validate(s.defaultTeam), async (_req, res) => {
    const { teamId } = input(res, s.defaultTeam);
    await command(deps, res, (tx, o) => setDefaultTeam(tx, o.id, teamId));
    res.json(orgView(await getOrganization(deps.db, orgScopeOf(res).org.id)));
  });

  // Counts, not people: a system admin who sets the license sees them too.
  r.get('/seats', authorize(['org.users.view', 'system.settings.configure']), async (_req, res) => {
    const { org } = orgScopeOf(res);
    res.json({ license: orgView(org).seatLicense, used: await seatUsage(deps, org.id) });
  });

  // The license is what the deployment's operator sold, not the organization's to raise.
  r.put('/seats', authorize('system.settings.configure'), validate(s.seatLicense), async (_req, res) => {
    const license = input(res, s.seatLicense);
    const org = await command(deps, res, (tx, o) => setSeatLicense(tx, o.id, license));
    res.json({ license: orgView(org).seatLicense, used: await seatUsage(deps, org.id) });
  });

  r.put('/billing-admin', authorize('org.billingAdmin.assign'), validate(s.billingAdmin), async (_req, res) => {
    const { userId } = input(res, s.billingAdmin);
    await command(deps, res, (tx, o) => setBillingAdmin(tx, o.id, userId));
    res.json(orgView(await getOrganization(deps.db, orgScopeOf(res).org.id)));
  });

  return r;
}
