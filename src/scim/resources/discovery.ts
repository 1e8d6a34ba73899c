import { URN } from '../constants.ts';
import type { ScimContext, ScimResponse } from '../core.ts';
import { notFound } from '../errors.ts';
import { ALL_SCHEMAS, RESOURCE_TYPES, type AttributeDef, type SchemaDef } from '../schemas/index.ts';

// /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4), all derived from the
// schema data and the configured limits.

function attributeJson(a: AttributeDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
  };
  if (a.canonicalValues) out.canonicalValues = a.canonicalValues;
  if (a.referenceTypes) out.referenceTypes = a.referenceTypes;
  if (a.subAttributes) out.subAttributes = a.subAttributes.map(attributeJson);
  return out;
}

function schemaJson(s: SchemaDef, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [URN.schema],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.attributes.map(attributeJson),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` },
  };
}

function resourceTypeJson(baseUrl: string, rt: (typeof RESOURCE_TYPES)[number]): Record<string, unknown> {
  return {
    schemas: [URN.resourceType],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema.id,
    schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.id}` },
  };
}

const list = (items: Record<string, unknown>[]): ScimResponse => ({
  status: 200,
  body: { schemas: [URN.listResponse], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items },
});

export function serviceProviderConfig(ctx: ScimContext): ScimResponse {
  const l = ctx.limits;
  return {
    status: 200,
    body: {
      schemas: [URN.serviceProviderConfig],
      documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: l.bulkMaxOperations, maxPayloadSize: l.bulkMaxPayloadBytes },
      filter: { supported: true, maxResults: l.maxPageSize },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: "Authentication with an organization's SCIM bearer token",
          specUri: 'https://www.rfc-editor.org/info/rfc6750',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${ctx.baseUrl}/ServiceProviderConfig` },
    },
  };
}

export const resourceTypes = (ctx: ScimContext) => list(RESOURCE_TYPES.map((rt) => resourceTypeJson(ctx.baseUrl, rt)));

export function resourceType(ctx: ScimContext, id: string): ScimResponse {
  const rt = RESOURCE_TYPES.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!rt) throw notFound(`ResourceType ${id} not found`);
  return { status: 200, body: resourceTypeJson(ctx.baseUrl, rt) };
}

export const schemas = (ctx: ScimContext) => list(ALL_SCHEMAS.map((s) => schemaJson(s, ctx.baseUrl)));

export function schema(ctx: ScimContext, id: string): ScimResponse {
  const s = ALL_SCHEMAS.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!s) throw notFound(`Schema ${id} not found`);
  return { status: 200, body: schemaJson(s, ctx.baseUrl) };
}

