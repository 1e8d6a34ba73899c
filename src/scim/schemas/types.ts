// SCIM schema definitions as data (RFC 7643 §7). Projection, mutability checks, the
// PATCH engine, filter validation and the /Schemas document are all derived from these.

export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
  /**
   * Not an RFC 7643 characteristic (never in /Schemas): the attribute always has a value
   * (a default applies on create), so PATCH `remove` of it is refused with `mutability`
   * rather than answered 200 with nothing changed.
   */
  alwaysValued?: boolean;
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

export interface ResourceTypeDef {
  id: string;
  name: string;
  endpoint: string;
  description: string;
  schema: SchemaDef;
  extensions: { schema: SchemaDef; required: boolean }[];
}

type Opts = Partial<Omit<AttributeDef, 'name' | 'type' | 'subAttributes'>>;

function attr(name: string, type: AttrType, o: Opts = {}, subAttributes?: AttributeDef[]): AttributeDef {
  const def: AttributeDef = {
    name,
    type,
    multiValued: o.multiValued ?? false,
    description: o.description ?? '',
    required: o.required ?? false,
    caseExact: o.caseExact ?? false,
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
  };
  if (o.canonicalValues) def.canonicalValues = o.canonicalValues;
  if (o.referenceTypes) def.referenceTypes = o.referenceTypes;
  if (subAttributes) def.subAttributes = subAttributes;
  if (o.alwaysValued) def.alwaysValued = true;
  return def;
}

export const str = (name: string, o: Opts = {}) => attr(name, 'string', o);
export const bool = (name: string, o: Opts = {}) => attr(name, 'boolean', o);
export const int = (name: string, o: Opts = {}) => attr(name, 'integer', o);
export const dateTime = (name: string, o: Opts = {}) => attr(name, 'dateTime', o);
export const ref = (name: string, referenceTypes: string[], o: Opts = {}) => attr(name, 'reference', { ...o, referenceTypes });
export const complex = (name: string, sub: AttributeDef[], o: Opts = {}) => attr(name, 'complex', o, sub);
export const multi = (name: string, sub: AttributeDef[], o: Opts = {}) => attr(name, 'complex', { ...o, multiValued: true }, sub);

/**
 * The usual sub-attributes of a multi-valued attribute (RFC 7643 §2.4). A `reference`
 * value carries its referenceTypes (§7: required for every reference; photos are
 * `["external"]`, §8.7.1): schema-driven clients build their models from /Schemas.
 */
export const multiValuedSubs = (valueType: AttrType = 'string', types: string[] = ['work', 'home', 'other'], referenceTypes?: string[]): AttributeDef[] => [
  attr('value', valueType, referenceTypes ? { referenceTypes } : {}),
  str('display'),
  str('type', { canonicalValues: types }),
  bool('primary'),
];
