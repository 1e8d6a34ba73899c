import { Router } from 'express';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateSecret, signingSecrets, updateEndpoint, type EndpointRow } from '../../events/endpoints.ts';
import { listAttempts, listDeliveries, redeliver } from '../../events/delivery-log.ts';
import { EVENT_TYPES } from '../../events/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command, idParams } from '../command.ts';
import { doc, LOCATION } from '../openapi/doc.ts';
import { authorize, orgScopeOf } from '../scope.ts';
import { input, validate } from '../validate.ts';
import { iso } from '../views.ts';
import * as s from './webhooks.schema.ts';

// Webhook endpoints of the organization (issue 16), for its admins: the signing secret is
// in the answer to a create or a rotation only; the delivery log and manual redelivery.

const view = (e: EndpointRow, now: Date) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.event_types,
  enabled: e.enabled,
  // The previous secret is shown while it still signs (signingSecrets: one rule, one clock).
  previousSecretExpiresAt: signingSecrets(e, now).length > 1 ? iso(e.previous_secret_expires_at) : null,
  createdAt: iso(e.created_at),
  updatedAt: iso(e.updated_at),
});

export function webhookRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });
  const manage = authorize('org.settings.manage');
  const policy = deps.config.webhooks;
  const now = () => deps.now?.() ?? new Date();
  const endpointOf = (res: Parameters<Parameters<typeof r.get>[1]>[1], id: string) => getEndpoint(deps.db, orgScopeOf(res).org.id, id);

  r.get(
    '/webhooks/event-types',
    doc({
      summary: 'List webhook event types',
      description: 'Organization admins. The directory change events an endpoint can subscribe to (or "*" for all of them).',
      tag: 'Webhooks',
      responses: { 200: { description: 'The event types, sorted.', body: s.eventTypeList } },
    }),
    manage, (_req, res) => {
    res.json({ items: EVENT_TYPES });
  });
  r.get(
    '/webhooks',
    doc({
      summary: 'List webhook endpoints',
      description: "Organization admins. The organization's webhook endpoints, oldest first. Signing secrets are never shown here.",
      tag: 'Webhooks',
      responses: { 200: { description: 'The endpoints.', body: s.webhookList } },
    }),
    manage, async (_req, res) => {
    res.json({ items: (await listEndpoints(deps.db, orgScopeOf(res).org.id)).map((e) => view(e, now())) });
  });
  r.post(
    '/webhooks',
    doc({
      summary: 'Create a webhook endpoint',
      description:
        'Organization admins. An HTTPS URL that receives the chosen event types (or "*"), signed Standard Webhooks style. The answer carries the signing secret, shown this once: store it, it cannot be read again (rotate it to get a new one). Refused with 422 for an unknown event type or a URL that is not allowed (not HTTPS, credentials in it, an address refused as private), 409 beyond 20 endpoints per organization.',
      tag: 'Webhooks',
      responses: { 201: { description: 'The endpoint with its signing secret, shown once (Location names it).', body: s.webhookWithSecret, headers: LOCATION } },
    }),
    manage, validate(s.createWebhook), async (req, res) => {
    const body = input(res, s.createWebhook);
    const { endpoint, secret } = await command(deps, res, (tx, o) => createEndpoint(tx, o.id, body, policy));
    res.status(201).location(`${req.baseUrl}/webhooks/${endpoint.id}`).json({ ...view(endpoint, now()), secret });
  });
  r.get(
    '/webhooks/:webhookId',
    doc({
      summary: 'Read a webhook endpoint',
      description: 'Organization admins. The endpoint, without its secret.',
      tag: 'Webhooks',
      responses: { 200: { description: 'The endpoint.', body: s.webhook } },
    }),
    manage, idParams('webhookId'), async (req, res) => {
    res.json(view(await endpointOf(res, String(req.params.webhookId)), now()));
  });
  r.patch(
    '/webhooks/:webhookId',
    doc({
      summary: 'Change a webhook endpoint',
      description: 'Organization admins: its URL, description, event types or whether it is enabled. The secret is unchanged (see rotate-secret).',
      tag: 'Webhooks',
      responses: { 200: { description: 'The endpoint as it is now.', body: s.webhook } },
    }),
    manage, idParams('webhookId'), validate(s.updateWebhook), async (req, res) => {
    const patch = input(res, s.updateWebhook);
    res.json(view(await command(deps, res, (tx, o) => updateEndpoint(tx, o.id, String(req.params.webhookId), patch, policy)), now()));
  });
  r.delete(
    '/webhooks/:webhookId',
    doc({
      summary: 'Delete a webhook endpoint',
      description: 'Organization admins. The endpoint goes with its delivery log; nothing more is sent to it.',
      tag: 'Webhooks',
      responses: { 204: { description: 'Deleted.' } },
    }),
    manage, idParams('webhookId'), async (req, res) => {
    await command(deps, res, (tx, o) => deleteEndpoint(tx, o.id, String(req.params.webhookId)));
    res.status(204).end();
  });
  r.post(
    '/webhooks/:webhookId/rotate-secret',
    doc({
      summary: "Rotate a webhook endpoint's secret",
      description:
        'Organization admins. A new signing secret, in this answer only (shown once, never again). The previous secret stays valid for 24 hours, deliveries being signed with both meanwhile, so the receiver can switch without a gap.',
      tag: 'Webhooks',
      responses: { 200: { description: 'The endpoint with its new signing secret, shown once.', body: s.webhookWithSecret } },
    }),
    manage, idParams('webhookId'), async (req, res) => {
    const at = now();
    const { endpoint, secret } = await command(deps, res, (tx, o) => rotateSecret(tx, o.id, String(req.params.webhookId), at));
    res.json({ ...view(endpoint, at), secret });
  });
  r.get(
    '/webhooks/:webhookId/deliveries',
    doc({
      summary: "List a webhook endpoint's deliveries",
      description: 'Organization admins. The delivery log, newest first: each event sent to the endpoint with its status, attempts, last response code, latency and error. Paged by a cursor.',
      tag: 'Webhooks',
      responses: { 200: { description: 'One page of deliveries, newest first.', body: s.deliveryPage } },
    }),
    manage, idParams('webhookId'), validate(s.deliveriesQuery, 'query'), async (req, res) => {
    const q = input(res, s.deliveriesQuery, 'query');
    const endpoint = await endpointOf(res, String(req.params.webhookId));
    res.json(await listDeliveries(deps.db, endpoint.id, { status: q.status, before: q.cursor, limit: q.limit }));
  });
  r.get(
    '/webhooks/:webhookId/deliveries/:deliveryId/attempts',
    doc({
      summary: "List a delivery's attempts",
      description: 'Organization admins. Every attempt to send one delivery, oldest first, with its outcome, response code, latency and error.',
      tag: 'Webhooks',
      responses: { 200: { description: 'The attempts, oldest first.', body: s.attemptList } },
    }),
    manage, idParams('webhookId'), validate(s.deliveryParams, 'params'), async (req, res) => {
    const endpoint = await endpointOf(res, String(req.params.webhookId));
    res.json({ items: await listAttempts(deps.db, endpoint.id, input(res, s.deliveryParams, 'params').deliveryId) });
  });
  r.post(
    '/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    doc({
      summary: 'Send a delivery again',
      description:
        'Organization admins. A delivered or dead delivery is queued again as a fresh series of attempts. Refused with 409 while it is still pending (it will be attempted again anyway).',
      tag: 'Webhooks',
      responses: { 202: { description: 'Queued: the delivery is pending again.', body: s.redelivery } },
    }),
    manage, idParams('webhookId'), validate(s.deliveryParams, 'params'), async (req, res) => {
    const { deliveryId } = input(res, s.deliveryParams, 'params');
    await command(deps, res, (tx, o) => redeliver(tx, o.id, String(req.params.webhookId), deliveryId));
    res.status(202).json({ id: deliveryId, status: 'pending' });
  });
  return r;
}
