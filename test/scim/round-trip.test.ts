import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type AttributeDef, type ResourceTypeDef } from '../../src/scim/schemas/index.ts';
import { runInTransaction } from '../../src/domain/context.ts';
import { createRegistry } from '../../src/domain/registries.ts';
import { makeTeam, testActor } from '../support/factories.ts';
import { patch, startScim, type ScimClient } from './support.ts';

// SPEC §4: what the schema declares writable round-trips; what it forbids is the RFC's
// error. The attribute list is generated from the schema data (every resource type, its
// common attributes, core schema and extensions); for each writable attribute a resource
// is created with it (POST), replaced with another value (PUT), and PATCHed with add,
// replace and remove, and read back with GET after each step. Values are generated from
// the attribute's type and canonical values; SAMPLES gives the few that must name
// something that exists (a team, a registry, a user, a permission). Attributes that
// always have a value (active, organizationRole, modelsSeat, weaveAccess) and required ones
// answer `remove` with 400 mutability; writeOnly ones (password) are accepted and never
// returned.

type Obj = Record<string, unknown>;

let c: ScimClient;
let teamA: string;
let teamB: string;
let registryA: string;
let registryB: string;
let userX: string;
let userY: string;

beforeAll(async () => {
  c = await startScim();
  teamA = (await makeTeam(c.db, c.org.id, 'round-trip A')).name;
  teamB = (await makeTeam(c.db, c.org.id, 'round-trip B')).name;
  const registry = (name: string) => runInTransaction(c.db, testActor, (tx) => createRegistry(tx, c.org.id, { name }));
  registryA = (await registry('round-trip registry A')).name;
  registryB = (await registry('round-trip registry B')).name;
  const mk = async (n: string) =>
    (await c.call('POST', '/scim/v2/Users', { schemas: [RESOURCE_TYPES[0]!.schema.id], userName: `${n}@rt.test` })).body.id as string;
  userX = await mk('x');
  userY = await mk('y');
});
afterAll(async () => {
  await c.close();
});

interface Target {
  rt: ResourceTypeDef;
  ext: string | null;
  attr: AttributeDef;
}

/** Every attribute a client may write, per resource type, from the schema data. */
function writableAttributes(): Target[] {
  const out: Target[] = [];
  for (const rt of RESOURCE_TYPES) {
    for (const attr of [...COMMON_ATTRIBUTES, ...rt.schema.attributes]) if (attr.mutability !== 'readOnly') out.push({ rt, ext: null, attr });
    for (const e of rt.extensions) for (const attr of e.schema.attributes) if (attr.mutability !== 'readOnly') out.push({ rt, ext: e.schema.id, attr });
  }
  return out;
}

const keyOf = (t: Target, sub?: string) => `${t.rt.name}.${t.attr.name}${sub ? `.${sub}` : ''}`;

let n = 0;
/** Values that must name something real, by `Resource.attr[.sub]`; variant 0 or 1. */
const SAMPLES: Record<string, (v: 0 | 1) => unknown> = {
  'User.userName': () => `person-${++n}@rt.test`,
  'User.emails.value': (v) => `mail-${v}-${++n}@rt.test`,
  'User.organizationRole': (v) => ['viewer', 'member'][v],
  'User.modelsSeat': (v) => ['viewer', 'none'][v],
  'User.weaveAccess': (v) => ['viewer', 'none'][v],
  'User.teamRoles.team': (v) => [teamA, teamB][v],
  'User.teamRoles.role': (v) => ['admin', 'view-only'][v],
  'User.registryRoles.registry': (v) => [registryA, registryB][v],
  'User.registryRoles.role': (v) => ['admin', 'viewer'][v],
  'User.active': (v) => [false, true][v],
  'Group.displayName': () => `group-${++n}`,
  'Group.members.value': (v) => [userX, userY][v],
  // members.$ref is the member's own location, at PUBLIC_URL (it names the member; value is the id)
  'Group.members.$ref': (v) => `${loadConfig({}).publicUrl}/scim/v2/Users/${[userX, userY][v]}`,
  'Group.members.type': () => 'User',
  'Role.name': () => `role-${++n}`,
  'Role.inheritedFrom': (v) => ['member', 'viewer'][v],
  'Role.permissions.name': (v) => ['project:update', 'run:stop'][v],
};

function scalarSample(t: Target, def: AttributeDef, v: 0 | 1, sub?: string): unknown {
  const sample = SAMPLES[keyOf(t, sub)];
  if (sample) return sample(v);
  if (def.canonicalValues?.length) return def.canonicalValues[v % def.canonicalValues.length];
  switch (def.type) {
    case 'boolean':
      return v === 0;
    case 'integer':
      return 10 + v;
    case 'decimal':
      return 1.5 + v;
    case 'dateTime':
      return new Date(Date.UTC(2020, 0, 1 + v)).toISOString();
    case 'reference':
      return `https://example.test/${t.attr.name}/${sub ?? 'value'}/${v}`;
    case 'binary':
      return Buffer.from(`certificate ${v}`).toString('base64');
    default:
      return `${t.attr.name}${sub ? `-${sub}` : ''}-${v}-${++n}`;
  }
}

/** A value for the attribute: every writable sub-attribute of a complex one is set. */
function sample(t: Target, v: 0 | 1): unknown {
  const a = t.attr;
  if (a.type !== 'complex') {
    const x = scalarSample(t, a, v);
    return a.multiValued ? [x] : x;
  }
  const el: Obj = {};
  for (const s of a.subAttributes ?? []) {
    if (s.mutability === 'readOnly') continue;
    el[s.name] = scalarSample(t, s, v, s.name);
  }
  return a.multiValued ? [el] : el;
}

const URNS = (t: Target) => [t.rt.schema.id, ...(t.ext ? [t.ext] : [])];

/** The smallest valid resource of the type, plus `attr: value`. */
function body(t: Target, value?: unknown): Obj {
  const b: Obj = { schemas: URNS(t) };
  for (const a of t.rt.schema.attributes) {
    if (a.required) b[a.name] = scalarSample({ ...t, attr: a }, a, 0);
  }
  if (value !== undefined) {
    if (t.ext) b[t.ext] = { [t.attr.name]: value };
    else b[t.attr.name] = value;
  }
  return b;
}

/** What the resource answers for the attribute (a role's own permissions only: the base role's are listed too). */
function readBack(t: Target, res: Obj): unknown {
  const holder = (t.ext ? res[t.ext] : res) as Obj | undefined;
  const v = holder?.[t.attr.name];
  if (t.rt.name === 'Role' && t.attr.name === 'permissions') {
    const own = (v as Obj[]).filter((p) => p.isInherited === false).map(({ name }) => ({ name }));
    return own.length ? own : undefined;
  }
  if (t.attr.multiValued && Array.isArray(v) && v.length === 0) return undefined;
  return v;
}

/** Written and read back agree: every written (sub-)attribute is there with the written value. */
function expectRoundTrip(t: Target, written: unknown, got: unknown): void {
  const where = keyOf(t);
  if (t.attr.mutability === 'writeOnly') {
    expect(got, `${where} is writeOnly: never returned`).toBeUndefined();
    return;
  }
  if (t.attr.type !== 'complex') {
    expect(got, where).toEqual(written);
    return;
  }
  if (!t.attr.multiValued) {
    expect(got, where).toMatchObject(written as Obj);
    return;
  }
  expect(got, where).toHaveLength((written as unknown[]).length);
  for (const el of written as Obj[]) expect(got, where).toContainEqual(expect.objectContaining(el));
}

const cannotRemove = (t: Target) => t.attr.required || t.attr.alwaysValued === true;

const targets = writableAttributes();

describe('every writable attribute round-trips', () => {
  it('covers every resource type and the attributes the schema declares writable', () => {
    expect(new Set(targets.map((t) => t.rt.name))).toEqual(new Set(RESOURCE_TYPES.map((r) => r.name)));
    // The list the closing note reports: resource.attribute(.sub-attributes written).
    const listed = targets.map((t) => {
      const subs = (t.attr.subAttributes ?? []).filter((s) => s.mutability !== 'readOnly').map((s) => s.name);
      return subs.length ? `${keyOf(t)}{${subs.join(',')}}` : keyOf(t);
    });
    expect(listed).toContain('User.emails{value,display,type,primary}');
    expect(listed).toContain('Role.externalId');
    expect(listed).toContain('User.registryRoles{registry,role}');
    expect(listed.length).toBeGreaterThan(35);
  });

  it.each(targets.map((t) => ({ name: keyOf(t), t })))('$name: POST, PUT, PATCH add/replace/remove', async ({ t }) => {
    const ep = `/scim/v2${t.rt.endpoint}`;
    // POST with the attribute
    const v0 = sample(t, 0);
    const created = await c.call('POST', ep, body(t, v0));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expectRoundTrip(t, v0, readBack(t, created.body));
    expectRoundTrip(t, v0, readBack(t, (await c.call('GET', `${ep}/${id}`)).body));

    // PUT with another value (required attributes as they are)
    const current = (await c.call('GET', `${ep}/${id}`)).body as Obj;
    const v1 = sample(t, 1);
    const putBody = body(t, v1);
    for (const a of t.rt.schema.attributes) if (a.required && a !== t.attr) putBody[a.name] = current[a.name];
    const put = await c.call('PUT', `${ep}/${id}`, putBody);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expectRoundTrip(t, v1, readBack(t, (await c.call('GET', `${ep}/${id}`)).body));

    const path = t.ext ? `${t.ext}:${t.attr.name}` : t.attr.name;
    // PATCH replace, then add (to a multi-valued attribute: one more element)
    const r1 = await c.call('PATCH', `${ep}/${id}`, patch({ op: 'replace', path, value: v0 }));
    expect(r1.status, JSON.stringify(r1.body)).toBeLessThan(300);
    expectRoundTrip(t, v0, readBack(t, (await c.call('GET', `${ep}/${id}`)).body));
    const added = sample(t, 1);
    const a1 = await c.call('PATCH', `${ep}/${id}`, patch({ op: 'add', path, value: added }));
    expect(a1.status, JSON.stringify(a1.body)).toBeLessThan(300);
    // v0 is primary where it has `primary`, the added element is not: nothing is demoted.
    const expectedAfterAdd = t.attr.multiValued ? [...(v0 as unknown[]), ...(added as unknown[])] : added;
    expectRoundTrip(t, expectedAfterAdd, readBack(t, (await c.call('GET', `${ep}/${id}`)).body));

    // PATCH remove
    const rm = await c.call('PATCH', `${ep}/${id}`, patch({ op: 'remove', path }));
    if (cannotRemove(t)) {
      expect(rm.status).toBe(400);
      expect(rm.body.scimType).toBe('mutability');
      expect(rm.body.detail).toContain(t.attr.name);
      return;
    }
    expect(rm.status, JSON.stringify(rm.body)).toBeLessThan(300);
    expect(readBack(t, (await c.call('GET', `${ep}/${id}`)).body), keyOf(t)).toBeUndefined();
  });
});
