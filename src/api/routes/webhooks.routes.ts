import { Router } from 'express';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateSecret, signingSecrets, updateEndpoint, type EndpointRow } from '../../events/endpoints.ts';
import { listAttempts, listDeliveries, redeliver } from '../../events/delivery-log.ts';
import { EVENT_TYPES } from '../../events/types.ts';
import type { AppDeps } from '../../http/deps.ts';
import { command, idParams } from '../command.ts';
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

  r.get('/webhooks/event-types', manage, (_req, res) => {
    res.json({ items: EVENT_TYPES });
  });
  r.get('/webhooks', manage, async (_req, res) => {
    res.json({ items: (await listEndpoints(deps.db, orgScopeOf(res).org.id)).map((e) => view(e, now())) });
  });
  r.post('/webhooks', manage, validate(s.createWebhook), async (req, res) => {
    const body = input(res, s.createWebhook);
    const { endpoint, secret } = await command(deps, res, (tx, o) => createEndpoint(tx, o.id, body, policy));
    res.status(201).location(`${req.baseUrl}/webhooks/${endpoint.id}`).json({ ...view(endpoint, now()), secret });
  });
  r.get('/webhooks/:webhookId', manage, idParams('webhookId'), async (req, res) => {
    res.json(view(await endpointOf(res, String(req.params.webhookId)), now()));
  });
  r.patch('/webhooks/:webhookId', manage, idParams('webhookId'), validate(s.updateWebhook), async (req, res) => {
    const patch = input(res, s.updateWebhook);
    res.json(view(await command(deps, res, (tx, o) => updateEndpoint(tx, o.id, String(req.params.webhookId), patch, policy)), now()));
  });
  r.delete('/webhooks/:webhookId', manage, idParams('webhookId'), async (req, res) => {
    await command(deps, res, (tx, o) => deleteEndpoint(tx, o.id, String(req.params.webhookId)));
    res.status(204).end();
  });
  r.post('/webhooks/:webhookId/rotate-secret', manage, idParams('webhookId'), async (req, res) => {
    const at = now();
    const { endpoint, secret } = await command(deps, res, (tx, o) => rotateSecret(tx, o.id, String(req.params.webhookId), at));
    res.json({ ...view(endpoint, at), secret });
  });
  r.get('/webhooks/:webhookId/deliveries', manage, idParams('webhookId'), validate(s.deliveriesQuery, 'query'), async (req, res) => {
    const q = input(res, s.deliveriesQuery, 'query');
    const endpoint = await endpointOf(res, String(req.params.webhookId));
    res.json(await listDeliveries(deps.db, endpoint.id, { status: q.status, before: q.cursor, limit: q.limit }));
  });
  r.get('/webhooks/:webhookId/deliveries/:deliveryId/attempts', manage, idParams('webhookId'), validate(s.deliveryParams, 'params'), async (req, res) => {
    const endpoint = await endpointOf(res, String(req.params.webhookId));
    res.json({ items: await listAttempts(deps.db, endpoint.id, input(res, s.deliveryParams, 'params').deliveryId) });
  });
  r.post('/webhooks/:webhookId/deliveries/:deliveryId/redeliver', manage, idParams('webhookId'), validate(s.deliveryParams, 'params'), async (req, res) => {
    const { deliveryId } = input(res, s.deliveryParams, 'params');
    await command(deps, res, (tx, o) => redeliver(tx, o.id, String(req.params.webhookId), deliveryId));
    res.status(202).json({ id: deliveryId, status: 'pending' });
  });
  return r;
}
