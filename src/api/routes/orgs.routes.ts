import { Router } from 'express';
import { verifyDomain } from '../../domain/domain-verification.ts';
import { claimDomain, listDomains, normalizeDomain, releaseDomain } from '../../domain/domains.ts';
import { getOrganization, renameOrganization, setBillingAdmin, setDefaultTeam, setSeatLicense, updateOrganizationSettings } from '../../domain/organizations.ts';
import { invalid } from '../../domain/errors.ts';
import type { AppDeps } from '../../http/deps.ts';
import { createTxtResolver } from '../../lib/txt-resolver.ts';
import { callerOf } from '../auth.ts';
import { command } from '../command.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { domainSchema, list, orgSchema } from '../views.schema.ts';
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

  r.get(
    '/',
    doc({
      summary: 'Read the organization',
      description:
        'Any active member of the organization, and system admins. Its name, settings, seat license, default team and billing admin, with its domain claims, the seats in use, and what the deployment allows it to turn on.',
      tag: 'Organization',
      responses: { 200: { description: 'The organization.', body: s.orgDetail } },
    }),
    async (_req, res) => {
    const { org } = orgScopeOf(res);
    res.json({
      ...orgView(org),
      domains: (await listDomains(deps.db, org.id)).map(domainView),
      seatsUsed: await seatUsage(deps, org.id),
      // What the deployment allows the organization to turn on (SPEC §5).
      deployment: { autoProvisioning: deps.config.autoProvisioning },
    });
  });

  r.patch(
    '/',
    doc({
      summary: 'Rename the organization',
      description: 'Organization admins. The name is unique across the deployment, compared case-insensitively (409 otherwise); the slug does not change.',
      tag: 'Organization',
      responses: { 200: { description: 'The organization as it is now.', body: orgSchema } },
    }),
    authorize('org.settings.manage'), validate(s.renameOrg, 'body', s.renameLabels), async (_req, res) => {
    const { name } = input(res, s.renameOrg);
    const org = await command(deps, res, (tx, o) => renameOrganization(tx, o.id, name));
    res.json(orgView(org));
  });

  r.patch(
    '/settings',
    doc({
      summary: "Change the organization's settings",
      description:
        'Organization admins: auto-provisioning, domain capture, joining teams at sign-up, the default Models seat and what happens when seats run out. Give at least one. Turning on autoProvisioning or domainCapture is refused (400) where the deployment does not allow auto-provisioning.',
      tag: 'Organization',
      responses: { 200: { description: 'The organization as it is now.', body: orgSchema } },
    }),
    authorize('org.settings.manage'), validate(s.orgSettings), async (_req, res) => {
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

  r.get(
    '/domains',
    doc({
      summary: 'List domain claims',
      description: "Organization admins. The organization's domain claims, pending and verified, by name; a pending claim carries the TXT record that verifies it.",
      tag: 'Domains',
      responses: { 200: { description: 'The claims, by domain.', body: list(domainSchema) } },
    }),
    authorize('org.domains.claim'), async (_req, res) => {
    res.json({ items: (await listDomains(deps.db, orgScopeOf(res).org.id)).map(domainView) });
  });

  // 201 and the TXT record to publish for a new (pending) claim; 200 and the claim as it
  // stands when the organization already holds it.
  r.post(
    '/domains',
    doc({
      summary: 'Claim a domain',
      description:
        'Organization admins. A new claim is pending until the TXT record it names is published and verified, and expires if it is not. Refused: what is not a domain name, public suffixes and public email providers, domains the operator refuses (400), and a domain another organization has verified (409).',
      tag: 'Domains',
      responses: {
        201: { description: 'A new, pending claim with the TXT record to publish (Location names it).', body: domainSchema, headers: LOCATION },
        200: { description: 'The organization already holds this claim: the claim as it stands.', body: domainSchema },
      },
    }),
    authorize('org.domains.claim'), validate(s.claimDomain), async (req, res) => {
    const { domain } = input(res, s.claimDomain);
    const { refuse, pendingTtlDays } = deps.config.domains;
    const { claim, created } = await command(deps, res, (tx, o) => claimDomain(tx, o.id, domain, { refuse, pendingTtlDays, now: now() }));
    if (created) res.status(201).location(`${req.baseUrl}/domains/${claim.domain}`);
    res.json(domainView(claim));
  });

  // Looks up the TXT record now. Not found yet is a 200 with the claim still pending and
  // the reason in `check`: DNS answers are never errors of this request.
  r.post(
    '/domains/:domain/verify',
    doc({
      summary: 'Verify a domain claim',
      description:
        "Organization admins. Looks up the claim's TXT record now. A record not found (yet) is no error: the claim stays pending and `check` says why. Refused: an unknown claim (404), an expired one (410), a domain another organization has verified (409).",
      tag: 'Domains',
      responses: { 200: { description: 'The claim as it is now, with the lookup made.', body: s.domainVerified } },
    }),
    authorize('org.domains.claim'), async (req, res) => {
    const domain = normalizeDomain(String(req.params.domain));
    const { claim, check } = await verifyDomain(deps.db, callerOf(res).actor, orgScopeOf(res).org.id, domain, { resolver, now: now() });
    res.json({ ...domainView(claim), check: check && { verified: check.found, reason: check.found ? null : check.reason } });
  });

  r.delete(
    '/domains/:domain',
    doc({
      summary: 'Release a domain claim',
      description: 'Organization admins. Removes the claim, pending or verified.',
      tag: 'Domains',
      responses: { 204: { description: 'Released.' } },
    }),
    authorize('org.domains.claim'), async (req, res) => {
    const domain = normalizeDomain(String(req.params.domain));
    await command(deps, res, (tx, o) => releaseDomain(tx, o.id, domain));
    res.status(204).end();
  });

  r.put(
    '/default-team',
    doc({
      summary: 'Set the default team',
      description: 'Organization admins. A team of the organization, or null for none.',
      tag: 'Organization',
      responses: { 200: { description: 'The organization as it is now.', body: orgSchema } },
    }),
    authorize('org.settings.manage'), validate(s.defaultTeam), async (_req, res) => {
    const { teamId } = input(res, s.defaultTeam);
    await command(deps, res, (tx, o) => setDefaultTeam(tx, o.id, teamId));
    res.json(orgView(await getOrganization(deps.db, orgScopeOf(res).org.id)));
  });

  // Counts, not people: a system admin who sets the license sees them too.
  r.get(
    '/seats',
    doc({
      summary: 'Read the seat license and seats in use',
      description: 'Organization admins and system admins. Counts only, no people.',
      tag: 'Organization',
      responses: { 200: { description: 'The license and the seats in use.', body: s.seats } },
    }),
    authorize(['org.users.view', 'system.settings.configure']), async (_req, res) => {
    const { org } = orgScopeOf(res);
    res.json({ license: orgView(org).seatLicense, used: await seatUsage(deps, org.id) });
  });

  // The license is what the deployment's operator sold, not the organization's to raise.
  r.put(
    '/seats',
    doc({
      summary: 'Set the seat license',
      description: "System admins only: the license is what the deployment's operator sold, not the organization's to raise. Full and viewer seats, null for unlimited. Members already seated keep their seats.",
      tag: 'Organization',
      responses: { 200: { description: 'The license and the seats in use.', body: s.seats } },
    }),
    authorize('system.settings.configure'), validate(s.seatLicense), async (_req, res) => {
    const license = input(res, s.seatLicense);
    const org = await command(deps, res, (tx, o) => setSeatLicense(tx, o.id, license));
    res.json({ license: orgView(org).seatLicense, used: await seatUsage(deps, org.id) });
  });

  r.put(
    '/billing-admin',
    doc({
      summary: 'Assign the billing admin',
      description: "Organization admins. The billing admin is a member record's id, and must be an active organization admin (400 otherwise).",
      tag: 'Organization',
      responses: { 200: { description: 'The organization as it is now.', body: orgSchema } },
    }),
    authorize('org.billingAdmin.assign'), validate(s.billingAdmin), async (_req, res) => {
    const { userId } = input(res, s.billingAdmin);
    await command(deps, res, (tx, o) => setBillingAdmin(tx, o.id, userId));
    res.json(orgView(await getOrganization(deps.db, orgScopeOf(res).org.id)));
  });

  return r;
}
