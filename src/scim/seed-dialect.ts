import { findAttr, type AttributeDef } from './schemas/index.ts';

// The seed product's SCIM dialect (its reference: platform/hosting/iam/scim), mapped once
// onto orgbridge's schema. Unqualified extension attributes and `weaveRole` are handled
// where paths and keys are resolved (values.ts SEED_ALIASES); this file holds the rest.

/**
 * Sub-attribute spellings the seed documents for our attributes: its "Assign team role"
 * sends `teamRoles: [{"teamName": "team1", "roleName": "admin"}]` where orgbridge's
 * extension says `{team, role}`, and its registry examples `registryRoles:
 * [{"registryName", "roleName"}]` where we say `{registry, role}`.
 */
const SUB_ALIASES: Record<string, Record<string, string>> = {
  teamroles: { teamname: 'team', rolename: 'role' },
  registryroles: { registryname: 'registry', rolename: 'role' },
};

/** Our name for a sub-attribute of `attr` the seed spells `name` (else `name` itself). */
export const canonicalSubName = (attr: string, name: string): string => SUB_ALIASES[attr.toLowerCase()]?.[name.toLowerCase()] ?? name;

/** A sub-attribute of `def` by its name or a seed alias of it (case-insensitive). */
export function findSubAttr(def: AttributeDef, name: string): AttributeDef | undefined {
  return findAttr(def.subAttributes, canonicalSubName(def.name, name));
}

/**
 * The seed's "Assign team role" is `{"op": "replace", "path": "teamRoles", "value":
 * [{"teamName", "roleName"}]}` and sets the role in the teams it names; its registry
 * example does the same with `registryRoles` and `[{"registryName", "roleName"}]`.
 * RFC 7644 §3.5.2.3 would read a replace as the whole list, taking the person out of
 * every other team (registry); a script written against the seed never means that. A
 * replace whose elements are in the seed's shape is therefore an add (per-team,
 * per-registry upsert); `{team, role}` and `{registry, role}` keep RFC meaning.
 */
export function seedOpOf(op: 'add' | 'replace', attr: AttributeDef | undefined, rawValue: unknown): 'add' | 'replace' {
  const aliases = attr ? SUB_ALIASES[attr.name.toLowerCase()] : undefined;
  if (op !== 'replace' || !aliases || !Array.isArray(rawValue) || !rawValue.length) return op;
  const seedShaped = rawValue.every(
    (el) => typeof el === 'object' && el !== null && Object.keys(el).some((k) => Object.hasOwn(aliases, k.toLowerCase())),
  );
  return seedShaped ? 'add' : op;
}
