import type { Conn } from '../db/connect.ts';
import { audit } from '../domain/audit.ts';
import type { Tx } from '../domain/context.ts';
import { conflict, invalid, notFound } from '../domain/errors.ts';
import { newId } from '../lib/secrets.ts';
import { checkEndpointUrl, type UrlPolicy } from './endpoint-url.ts';
import { newSecret } from './signature.ts';
import { EVENT_TYPES } from './types.ts';

// An organization's webhook endpoints. The secret is returned once, at creation and at
// rotation; reads never show it. Rotation keeps the previous secret valid for 24 hours
// (deliveries are signed with both meanwhile), so a receiver can switch without a gap.

export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;
/** Each endpoint multiplies the organization's deliveries: a tenant may not flood the workers shared by all. */
export const MAX_ENDPOINTS_PER_ORG = 20;

export interface EndpointRow {
  id: string;
  org_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface EndpointInput {
  url: string;
  description?: string | null | undefined;
  /** Event types, or ['*'] for all. */
  eventTypes: string[];
  enabled?: boolean | undefined;
}

function checkTypes(types: string[]): string[] {
  const unknown = types.filter((t) => t !== '*' && !EVENT_TYPES.includes(t));
  if (unknown.length) throw invalid(`unknown event types: ${unknown.join(', ')} (known: ${EVENT_TYPES.join(', ')}, or *)`, { field: 'eventTypes' });
  return [...new Set(types)].sort();
}

const snapshot = (e: EndpointRow) => ({ url: e.url, eventTypes: e.event_types, enabled: e.enabled });

export async function listEndpoints(conn: Conn, orgId: string): Promise<EndpointRow[]> {
  return conn('webhook_endpoints').where({ org_id: orgId }).orderBy('created_at');
}

export async function getEndpoint(conn: Conn, orgId: string, id: string): Promise<EndpointRow> {
  const row = await conn('webhook_endpoints').where({ org_id: orgId, id }).first<EndpointRow | undefined>();
  if (!row) throw notFound('webhook endpoint', id);
  return row;
}

export async function createEndpoint(tx: Tx, orgId: string, input: EndpointInput, policy: UrlPolicy): Promise<{ endpoint: EndpointRow; secret: string }> {
  const url = checkEndpointUrl(input.url, policy).href;
  const [count] = await tx.trx('webhook_endpoints').where({ org_id: orgId }).count<{ n: number }[]>({ n: '*' });
  if (Number(count?.n ?? 0) >= MAX_ENDPOINTS_PER_ORG) throw conflict(`an organization may have at most ${MAX_ENDPOINTS_PER_ORG} webhook endpoints`);
  const secret = newSecret();
  const [row] = await tx.trx('webhook_endpoints')
    .insert({
      id: newId(),
      org_id: orgId,
      url,
      description: input.description ?? null,
      event_types: JSON.stringify(checkTypes(input.eventTypes)),
      secret,
      enabled: input.enabled ?? true,
    })
    .returning('*');
  const endpoint = row as EndpointRow;
  await audit(tx, { orgId, action: 'webhook.create', targetType: 'webhook_endpoint', targetId: endpoint.id, after: snapshot(endpoint) });
  return { endpoint, secret };
}

export async function updateEndpoint(tx: Tx, orgId: string, id: string, patch: Partial<EndpointInput>, policy: UrlPolicy): Promise<EndpointRow> {
  const before = await getEndpoint(tx.trx, orgId, id);
  const cols: Record<string, unknown> = { updated_at: tx.trx.fn.now() };
  if (patch.url !== undefined) cols.url = checkEndpointUrl(patch.url, policy).href;
  if (patch.description !== undefined) cols.description = patch.description;
  if (patch.eventTypes !== undefined) cols.event_types = JSON.stringify(checkTypes(patch.eventTypes));
  if (patch.enabled !== undefined) cols.enabled = patch.enabled;
  const [row] = await tx.trx('webhook_endpoints').where({ org_id: orgId, id }).update(cols).returning('*');
  const after = row as EndpointRow;
  await audit(tx, { orgId, action: 'webhook.update', targetType: 'webhook_endpoint', targetId: id, before: snapshot(before), after: snapshot(after) });
  return after;
}

export async function deleteEndpoint(tx: Tx, orgId: string, id: string): Promise<void> {
  const before = await getEndpoint(tx.trx, orgId, id);
  await tx.trx('webhook_endpoints').where({ org_id: orgId, id }).delete();
  await audit(tx, { orgId, action: 'webhook.delete', targetType: 'webhook_endpoint', targetId: id, before: snapshot(before) });
}

/** A new secret (returned once); the current one stays valid for 24 hours. */
export async function rotateSecret(tx: Tx, orgId: string, id: string, now: Date): Promise<{ endpoint: EndpointRow; secret: string }> {
  const before = await getEndpoint(tx.trx, orgId, id);
  const secret = newSecret();
  const [row] = await tx.trx('webhook_endpoints')
    .where({ org_id: orgId, id })
    .update({ secret, previous_secret: before.secret, previous_secret_expires_at: new Date(now.getTime() + PREVIOUS_SECRET_VALID_MS), updated_at: tx.trx.fn.now() })
    .returning('*');
  await audit(tx, { orgId, action: 'webhook.rotate_secret', targetType: 'webhook_endpoint', targetId: id });
  return { endpoint: row as EndpointRow, secret };
}

/** The secrets a delivery is signed with at `now`: the current one, and the previous one while valid. */
export function signingSecrets(e: Pick<EndpointRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>, now: Date): string[] {
  const out = [e.secret];
  if (e.previous_secret && e.previous_secret_expires_at && new Date(e.previous_secret_expires_at).getTime() > now.getTime()) out.push(e.previous_secret);
  return out;
}
