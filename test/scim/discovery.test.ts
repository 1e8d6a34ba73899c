import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_URN, LIST_URN, patch, startScim, USER_URN, type ScimClient } from './support.ts';

// /Schemas must be a complete RFC 7643 §7 document (schema-driven clients such as
// scim2-client build their models from it and fail on a missing characteristic), and
// /ServiceProviderConfig must announce what works, exactly (RFC 7643 §5).

let c: ScimClient;
// Small limits, so that each announced limit can be seen to hold.
beforeAll(async () => { c = await startScim({ maxPageSize: 2, bulkMaxOperations: 3 }); });
afterAll(async () => { await c.close(); });

type Attr = Record<string, unknown>;
const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];
const UNIQUENESS = ['none', 'server', 'global'];

/** Every problem with one attribute definition and its sub-attributes, as "path: problem". */
function problems(a: Attr, where: string, depth = 0): string[] {
  const out: string[] = [];
  const at = `${where}${String(a.name)}`;
  const need = (ok: boolean, what: string) => { if (!ok) out.push(`${at}: ${what}`); };
  need(typeof a.name === 'string' && /^[A-Za-z$][\w$-]*$/.test(a.name), 'name is an ATTRNAME');
  need(TYPES.includes(a.type as string), `type is one of ${TYPES.join('/')}`);
  need(typeof a.multiValued === 'boolean', 'multiValued is a boolean');
  need(typeof a.description === 'string', 'description is a string');
  need(typeof a.required === 'boolean', 'required is a boolean');
  need(MUTABILITY.includes(a.mutability as string), 'mutability is given');
  need(RETURNED.includes(a.returned as string), 'returned is given');
  need(UNIQUENESS.includes(a.uniqueness as string), 'uniqueness is given');
  if (a.type === 'string' || a.type === 'reference' || a.type === 'binary') need(typeof a.caseExact === 'boolean', 'caseExact is a boolean');
  if (a.type === 'reference') {
    need(Array.isArray(a.referenceTypes) && a.referenceTypes.length > 0 && a.referenceTypes.every((t) => typeof t === 'string' && t.length > 0), 'referenceTypes lists what it refers to');
  } else need(a.referenceTypes === undefined, 'referenceTypes only on references');
  if (a.canonicalValues !== undefined) need(Array.isArray(a.canonicalValues) && a.canonicalValues.every((v) => typeof v === 'string'), 'canonicalValues are strings');
  if (a.type === 'complex') {
    // §2.3.8: a complex attribute's sub-attributes are not themselves complex.
    need(depth === 0, 'complex attributes do not nest');
    need(Array.isArray(a.subAttributes) && a.subAttributes.length > 0, 'subAttributes are listed');
    for (const s of (a.subAttributes as Attr[] | undefined) ?? []) out.push(...problems(s, `${at}.`, depth + 1));
  } else need(a.subAttributes === undefined, 'subAttributes only on complex attributes');
  return out;
}

describe('/Schemas', () => {
  it('gives every attribute, recursively, every characteristic RFC 7643 §7 defines', async () => {
    const r = await c.call('GET', '/scim/v2/Schemas');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ schemas: [LIST_URN], totalResults: 5 });
    const all: string[] = [];
    let attributes = 0;
    for (const s of r.body.Resources as Record<string, unknown>[]) {
      expect(s.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
      expect(typeof s.id === 'string' && s.id.startsWith('urn:'), String(s.id)).toBe(true);
      expect(typeof s.name).toBe('string');
      expect(typeof s.description).toBe('string');
      expect(s.meta).toEqual({ resourceType: 'Schema', location: `http://localhost:8080/scim/v2/Schemas/${String(s.id)}` });
      for (const a of s.attributes as Attr[]) {
        attributes += 1 + ((a.subAttributes as unknown[] | undefined)?.length ?? 0);
        all.push(...problems(a, `${String(s.id)}:`));
      }
      // The single-schema endpoint answers the same document.
      expect((await c.call('GET', `/scim/v2/Schemas/${String(s.id)}`)).body).toEqual(s);
    }
    expect(all).toEqual([]);
    expect(attributes).toBeGreaterThan(90);
    // The attribute the issue found: photos.value is an external reference (RFC 7643 §8.7.1).
    const user = (r.body.Resources as { id: string; attributes: Attr[] }[]).find((s) => s.id === USER_URN)!;
    const photos = user.attributes.find((a) => a.name === 'photos')!;
    expect((photos.subAttributes as Attr[]).find((s) => s.name === 'value')).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
  });

  it('the checker catches what was missing (a reference without referenceTypes, a string without caseExact)', () => {
    const base = { multiValued: false, description: '', required: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' };
    expect(problems({ ...base, name: 'value', type: 'reference', caseExact: false }, 'photos.')).toEqual(['photos.value: referenceTypes lists what it refers to']);
    expect(problems({ ...base, name: 'title', type: 'string' }, '')).toEqual(['title: caseExact is a boolean']);
  });

  it('every resource type names schemas /Schemas serves', async () => {
    const ids = new Set(((await c.call('GET', '/scim/v2/Schemas')).body.Resources as { id: string }[]).map((s) => s.id));
    for (const rt of (await c.call('GET', '/scim/v2/ResourceTypes')).body.Resources as { schema: string; schemaExtensions: { schema: string }[] }[]) {
      expect(ids.has(rt.schema), rt.schema).toBe(true);
      for (const e of rt.schemaExtensions) expect(ids.has(e.schema), e.schema).toBe(true);
    }
  });
});

describe('/ServiceProviderConfig', () => {
  it('announces exactly the features and limits that hold', async () => {
    const spc = (await c.call('GET', '/scim/v2/ServiceProviderConfig')).body;
    expect(spc).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 3, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 2 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken', primary: true })],
    });

    // filter, and maxResults: a page never holds more than announced.
    for (const n of ['a', 'b', 'c']) await c.call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: `spc-${n}@corp.test` });
    const page = await c.call('GET', `/scim/v2/Users?count=50&filter=${encodeURIComponent('userName sw "spc-"')}`);
    expect(page.body).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
    // sort
    const sorted = await c.call('GET', `/scim/v2/Users?sortBy=userName&sortOrder=descending&filter=${encodeURIComponent('userName sw "spc-"')}`);
    expect(sorted.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['spc-c@corp.test', 'spc-b@corp.test']);
    // patch and etag
    const id = sorted.body.Resources[0].id as string;
    const got = await c.call('GET', `/scim/v2/Users/${id}`);
    expect((await c.call('GET', `/scim/v2/Users/${id}`, undefined, { 'if-none-match': got.headers.get('etag')! })).status).toBe(304);
    const patched = await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Dr' }), { 'if-match': got.headers.get('etag')! });
    expect([patched.status, patched.body.title]).toEqual([200, 'Dr']);
    expect((await c.call('PATCH', `/scim/v2/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' }), { 'if-match': got.headers.get('etag')! })).status).toBe(412);
    // bulk, and its maxOperations
    const op = (n: number) => ({ method: 'POST', path: '/Groups', bulkId: `g${n}`, data: { schemas: [GROUP_URN], displayName: `bulk ${n}` } });
    const bulk = await c.call('POST', '/scim/v2/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [op(1), op(2), op(3)] });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '201']);
    const tooMany = await c.call('POST', '/scim/v2/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [op(4), op(5), op(6), op(7)] });
    expect(tooMany.status).toBe(413);
  });
});
