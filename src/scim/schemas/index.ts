import { COMMON_ATTRIBUTES } from './common.ts';
import { enterpriseUserSchema } from './enterprise-user.ts';
import { groupSchema } from './group.ts';
import { orgbridgeUserSchema } from './orgbridge-user.ts';
import { roleSchema } from './role.ts';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.ts';
import { userSchema } from './user.ts';

export type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.ts';
export { COMMON_ATTRIBUTES };

export const USER: ResourceTypeDef = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'A person and their membership in this organization',
  schema: userSchema,
  extensions: [
    { schema: enterpriseUserSchema, required: false },
    { schema: orgbridgeUserSchema, required: false },
  ],
};

export const GROUP: ResourceTypeDef = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'A team',
  schema: groupSchema,
  extensions: [],
};

export const ROLE: ResourceTypeDef = {
  id: 'Role',
  name: 'Role',
  endpoint: '/Roles',
  description: 'A custom role',
  schema: roleSchema,
  extensions: [],
};

export const RESOURCE_TYPES: readonly ResourceTypeDef[] = [USER, GROUP, ROLE];
export const ALL_SCHEMAS: readonly SchemaDef[] = [userSchema, enterpriseUserSchema, orgbridgeUserSchema, groupSchema, roleSchema];

/** A parsed attribute path: optional schema URN, attribute, optional sub-attribute. */
export interface AttrPath {
  urn?: string;
  attr: string;
  sub?: string;
}

export interface ResolvedAttr {
  /** The extension URN the attribute lives under; null for core and common attributes. */
  ext: string | null;
  attr: AttributeDef;
  sub?: AttributeDef;
}

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const findAttr = (list: readonly AttributeDef[] | undefined, name: string) => list?.find((a) => eqi(a.name, name));

/** The schema URNs a resource type knows, core first. */
export const schemaIds = (rt: ResourceTypeDef): string[] => [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)];

/** Canonical spelling of a URN this resource type knows, or undefined. */
export function knownUrn(rt: ResourceTypeDef, urn: string): string | undefined {
  return schemaIds(rt).find((id) => eqi(id, urn));
}

/**
 * Splits "urn:…:User:name.givenName" or "name.givenName" into its parts. A known schema
 * URN is matched as a prefix (case-insensitively); an unknown one splits at the last
 * colon and fails resolution later.
 */
export function splitAttrPath(rt: ResourceTypeDef, text: string): AttrPath {
  let urn: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const known = schemaIds(rt)
      .filter((id) => text.length >= id.length && eqi(text.slice(0, id.length), id) && (text.length === id.length || text[id.length] === ':'))
      .sort((a, b) => b.length - a.length)[0];
    if (known) {
      urn = known;
      rest = text.slice(known.length + 1);
    } else {
      const i = text.lastIndexOf(':');
      urn = text.slice(0, i);
      rest = text.slice(i + 1);
    }
  }
  const dot = rest.indexOf('.');
  const out: AttrPath = { attr: dot < 0 ? rest : rest.slice(0, dot) };
  if (urn !== undefined) out.urn = urn;
  if (dot >= 0) out.sub = rest.slice(dot + 1);
  return out;
}

/**
 * Finds an attribute definition. Unqualified names look in the core schema and the
 * common attributes first, then in the extensions (SPEC §4 accepts `organizationRole`
 * and friends unqualified).
 */
export function resolveAttribute(rt: ResourceTypeDef, p: AttrPath): ResolvedAttr | undefined {
  let found: { ext: string | null; attr: AttributeDef } | undefined;
  if (p.urn !== undefined) {
    const urn = knownUrn(rt, p.urn);
    if (!urn) return undefined;
    const schema = urn === rt.schema.id ? rt.schema : rt.extensions.find((e) => e.schema.id === urn)!.schema;
    const a = findAttr(schema.attributes, p.attr) ?? (urn === rt.schema.id ? findAttr(COMMON_ATTRIBUTES, p.attr) : undefined);
    if (a) found = { ext: urn === rt.schema.id ? null : urn, attr: a };
  } else {
    const a = findAttr(rt.schema.attributes, p.attr) ?? findAttr(COMMON_ATTRIBUTES, p.attr);
    if (a) found = { ext: null, attr: a };
    else {
      for (const e of rt.extensions) {
        const x = findAttr(e.schema.attributes, p.attr);
        if (x) {
          found = { ext: e.schema.id, attr: x };
          break;
        }
      }
    }
  }
  if (!found) return undefined;
  if (p.sub === undefined) return found;
  const sub = findAttr(found.attr.subAttributes, p.sub);
  return sub ? { ...found, sub } : undefined;
}

/** Attribute definitions of an extension (or the core schema + common attributes for null). */
export function attributesOf(rt: ResourceTypeDef, ext: string | null): readonly AttributeDef[] {
  if (ext === null) return [...COMMON_ATTRIBUTES, ...rt.schema.attributes];
  return rt.extensions.find((e) => e.schema.id === ext)?.schema.attributes ?? [];
}
