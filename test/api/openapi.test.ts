import { Router } from 'express';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiRouter } from '../../src/api/index.ts';
import { doc } from '../../src/api/openapi/doc.ts';
import { describeApi } from '../../src/api/openapi/document.ts';
import { validate } from '../../src/api/validate.ts';
import { fanOut } from '../../src/events/fan-out.ts';
import { orgResources } from '../support/org-resources.ts';
import { responseChecker } from '../support/openapi-check.ts';
import { call, useCast, type Cast, type Harness } from './harness.ts';

// Issue 16 item 5: /api/v1 describes itself in OpenAPI 3.1, generated from the routes and
// their zod schemas. These tests fail when a route has no description and when an answer
// does not validate against it; every other admin API test holds its answers against the
// description too (test/support/openapi-check.ts, wired in harness.ts).

let h: Harness;
let c: Cast;
let base: string;
useCast((run) => ({ h, c, base } = run));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the document under test

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(document: Json): { method: string; path: string; op: Json }[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ method, path, op: op as Json })),
  );
}

describe('the OpenAPI description', () => {
  it('is served without a credential and is a valid OpenAPI 3.1 document', async () => {
    const res = await call(h, null, 'GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    const verdict = await new Validator().validate(res.body);
    expect(verdict.errors ?? []).toEqual([]);
    expect(verdict.valid).toBe(true);
  });

  it('describes every route of the router: summary, description, tag, a success answer, every path parameter', async () => {
    const { operations: ops, document } = describeApi(apiRouter(h.deps), { version: 'test', basePath: '/api/v1' });
    expect(ops.length).toBeGreaterThan(80);
    const missing: string[] = [];
    for (const o of ops) {
      const name = `${o.method.toUpperCase()} ${o.path}`;
      const d = o.doc;
      if (!d) {
        missing.push(`${name}: no doc()`);
        continue;
      }
      if (!d.summary.trim() || !d.description.trim() || !d.tag.trim()) missing.push(`${name}: empty summary, description or tag`);
      if (!Object.keys(d.responses).some((s) => s.startsWith('2'))) missing.push(`${name}: no success answer`);
      for (const p of ((document.paths as Json)[o.path][o.method].parameters ?? []) as Json[]) {
        if (!p.description) missing.push(`${name}: parameter ${p.name} has no description`);
      }
    }
    expect(missing).toEqual([]);
    // Operation ids are unique (generators key client methods on them).
    const ids = operations(document).map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('states request bodies and query parameters from the validate() schemas', async () => {
    const { body: document } = await call(h, null, 'GET', '/api/v1/openapi.json');
    const create = document.paths['/orgs/{org}/teams'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['name']);
    expect(schema.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 128 });
    expect(schema.properties.privacy.enum).toEqual(['private', 'team', 'public']);
    expect(schema.additionalProperties).toBe(false);
    const member = document.paths['/orgs/{org}/teams/{team}/members/{user}'].patch.parameters;
    expect(member.map((p: Json) => [p.name, p.in, p.schema.format])).toEqual([
      ['org', 'path', undefined],
      ['team', 'path', 'uuid'],
      ['user', 'path', 'uuid'],
    ]);
    expect(document.paths['/orgs/{org}/teams'].get.responses['4XX']).toEqual({ $ref: '#/components/responses/Error' });
    // A validate(…, 'params') schema gives a path parameter its shape; a 201 promises Location.
    const attempts = document.paths['/orgs/{org}/webhooks/{webhookId}/deliveries/{deliveryId}/attempts'].get.parameters;
    expect(attempts.find((p: Json) => p.name === 'deliveryId').schema.type).toBe('integer');
    expect(document.paths['/orgs/{org}/teams'].post.responses['201'].headers.Location).toMatchObject({ required: true });
    // Main shapes are named components (one type each for generated clients).
    expect(document.paths['/orgs/{org}/teams'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Team' });
    expect(document.components.schemas.Team.properties.settings.properties.privacy.enum).toEqual(['private', 'team', 'public']);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Organization', 'Member', 'Project', 'Registry', 'WebhookEndpoint', 'AuditEntry', 'Decision']));
    expect(Object.keys(document.paths['/orgs/{org}/audit.ndjson'].get.responses['200'].headers)).toEqual(['X-Next-Cursor', 'Link']);
  });

  it('every GET answers, as an organization admin, with a body its description allows', async () => {
    const db = h.t.db;
    const { endpoint, params } = await orgResources(h, c);
    // A change after the endpoint exists, fanned out: one delivery to read.
    expect((await call(h, c.as.admin, 'POST', `${base}/teams`, { name: 'Speech' })).status).toBe(201);
    await fanOut(db, 100);
    const delivery = await db('webhook_deliveries').where({ endpoint_id: endpoint.id }).first('id');
    params.deliveryId = String(delivery.id);
    // Required query parameters, by path.
    const queries: Record<string, string> = { '/accounts': `?email=${encodeURIComponent('sam@ops.example')}` };
    // Accounts are the system admin's; everything else the organization admin's.
    const { operations: ops } = describeApi(apiRouter(h.deps), { version: 'test', basePath: '/api/v1' });
    const gets = ops.filter((o) => o.method === 'get');
    const failed: string[] = [];
    for (const o of gets) {
      const path = `/api/v1${o.path.replace(/\{(\w+)\}/g, (_m, p: string) => {
        if (p === 'account' && o.path.startsWith('/accounts')) return c.as.sysAdmin.accountId;
        if (!(p in params)) throw new Error(`no value for {${p}} in ${o.path}: add one`);
        return encodeURIComponent(params[p]!);
      })}${queries[o.path] ?? ''}`;
      const who = o.path.startsWith('/accounts') ? c.as.sysAdmin : c.as.admin;
      const res = await call(h, who, 'GET', path);
      if (res.status !== 200) failed.push(`GET ${o.path} → ${res.status} ${res.text.slice(0, 120)}`);
    }
    expect(failed).toEqual([]);
    expect(h.responses.take()).toEqual([]);
    expect(gets.every((o) => h.responses.seen.has(`GET ${o.path} 200`))).toBe(true);
  });

  it('the check catches an answer its description does not allow, and a status it does not list', async () => {
    const r = Router();
    r.post('/thing', doc({ summary: 'Make a thing', description: 'For this test.', tag: 'Test', responses: { 201: { description: 'Made.', headers: { Location: 'Where it is.' } } } }), (_q, s) => void s.status(201).end());
    r.get(
      '/thing',
      doc({ summary: 'A thing', description: 'For this test.', tag: 'Test', responses: { 200: { description: 'A thing.', body: z.object({ n: z.number() }).strict() } } }),
      validate(z.object({ shape: z.enum(['bad', 'good', 'teapot']) }).strict(), 'query'),
      (req, res) => {
        const shape = (req.query as { shape: string }).shape;
        if (shape === 'teapot') res.status(202).json({ n: 1 });
        else res.json(shape === 'bad' ? { n: 'one' } : { n: 1 });
      },
    );
    const described = describeApi(r, { version: 'test', basePath: '' });
    const checker = responseChecker();
    const operation = described.operations.find((o) => o.method === 'get')!;
    const made = described.operations.find((o) => o.method === 'post')!;
    checker.check({ operation: made, document: described.document, status: 201, headers: ['location'], json: false, body: undefined });
    expect(checker.take()).toEqual([]);
    checker.check({ operation: made, document: described.document, status: 201, headers: [], json: false, body: undefined });
    expect(checker.take()).toEqual(['POST /thing answered 201 without the Location header its description promises']);
    const answer = (status: number, body: unknown, headers: string[] = []) => checker.check({ operation, document: described.document, status, headers, json: true, body });
    answer(200, { n: 1 });
    expect(checker.take()).toEqual([]);
    answer(200, { n: 'one' });
    answer(200, { n: 1, extra: true });
    answer(202, { n: 1 });
    answer(404, { error: { code: 'not_found', message: 'No such thing.' } });
    answer(404, { oops: true });
    const problems = checker.take();
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^GET \/thing 200: body\/n must be number/);
    expect(problems[1]).toMatch(/must NOT have additional properties/);
    expect(problems[2]).toBe('GET /thing answered 202, which its description does not list');
    expect(problems[3]).toMatch(/^GET \/thing 404: body must have required property 'error'/);
    // The query schema became parameters.
    expect((described.document.paths as Json)['/thing'].get.parameters).toEqual([{ name: 'shape', in: 'query', required: true, schema: { type: 'string', enum: ['bad', 'good', 'teapot'] } }]);
  });

  it('an undescribed route is found', () => {
    const r = Router();
    r.get('/described', doc({ summary: 's', description: 'd', tag: 't', responses: { 204: { description: 'ok' } } }), (_q, s) => void s.status(204).end());
    r.post('/forgotten/:id', (_q, s) => void s.status(204).end());
    const { operations: ops } = describeApi(r, { version: 'test', basePath: '' });
    expect(ops.filter((o) => !o.doc).map((o) => `${o.method} ${o.path}`)).toEqual(['post /forgotten/{id}']);
  });
});
