import type { Router } from 'express';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../sso/session/middleware.ts';
import { apiErrorBody } from '../errors.ts';
import { DOC, ID_PARAMS, INPUT, type Documented, type RouteDoc } from './doc.ts';

// Assembles the OpenAPI 3.1 description of /api/v1 from the router itself: every route's
// `doc()` marker, the zod schemas of its `validate()` handlers, and its responses' zod
// schemas, converted with zod's own JSON Schema output (draft 2020-12, which OpenAPI 3.1
// adopts whole: OAS 3.1 §4.8.24). Nothing here is written per route.

type JsonSchema = Record<string, unknown>;

/** One operation as the router has it: the route object is how a request finds its description. */
export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. /orgs/{org}/teams/{team}. */
  path: string;
  route: object;
  doc: RouteDoc | undefined;
}

export interface Description {
  document: JsonSchema;
  operations: Operation[];
  /** Request → its operation (express sets req.route to the matched route object). */
  byRoute: Map<object, Operation>;
}

/** Path parameters every router shares. */
const PARAMS: Record<string, string> = {
  org: "The organization's slug.",
  team: 'A team id.',
  user: "A member record's id.",
  member: "A member record's id.",
  tokenId: 'A SCIM token id.',
  keyId: 'An admin API key id.',
  groupId: 'A role group id.',
  roleId: 'A custom role id.',
  invitationId: 'An invitation id.',
  domain: 'A claimed domain name.',
  project: 'A project id.',
  registry: 'A registry id.',
  account: 'An account id (accounts) or a service account id (service accounts).',
  key: 'A service-account key id.',
  webhookId: 'A webhook endpoint id.',
  deliveryId: 'A delivery id.',
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: Documented }[] };
  rawPath?: unknown;
  handle: { stack?: Layer[] };
}

type Found = Omit<Operation, 'path'> & { expressPath: string };

function walk(stack: Layer[], prefix: string, out: Found[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const own = layer.route.path === '/' && prefix ? '' : layer.route.path;
      for (const [m, on] of Object.entries(layer.route.methods)) {
        if (!on || m === '_all') continue;
        out.push({ method: m, route: layer.route, doc: layer.route.stack.map((l) => l.handle[DOC]).find(Boolean), expressPath: prefix + own });
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, prefix + mount, out);
    }
  }
}

/** Express's `:name` segments as OpenAPI `{name}`; anything fancier would need describing by hand, so it is refused. */
export function templateOf(expressPath: string): string {
  if (/[*?(){}]/.test(expressPath)) throw new Error(`openapi: cannot describe the path ${expressPath}`);
  const t = expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return t.length > 1 && t.endsWith('/') ? t.slice(0, -1) : t;
}

/**
 * zod → JSON Schema. A schema named with `.meta({ id })` (views.schema.ts, the answers'
 * main shapes) comes out as a `$ref` to `#/components/schemas/<id>` and its body is kept
 * in `named`, so clients generated from the description get one type per shape. The same
 * id must always come out the same (an input and an output version that differ would be
 * two shapes under one name): that is refused here, and so by the tests.
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output', named: Record<string, JsonSchema> = {}): JsonSchema {
  const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete js.$schema; // the document's jsonSchemaDialect says it once
  const defs = (js.$defs ?? {}) as Record<string, JsonSchema>;
  delete js.$defs;
  const moved = (x: JsonSchema): JsonSchema => JSON.parse(JSON.stringify(x).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  for (const [id, body] of Object.entries(defs)) {
    const component = moved(body);
    if (named[id] && JSON.stringify(named[id]) !== JSON.stringify(component)) throw new Error(`openapi: two different shapes are named ${id}`);
    named[id] = component;
  }
  return moved(js);
}

function parametersOf(op: Operation, handlers: Documented[], named: Record<string, JsonSchema>): JsonSchema[] {
  const uuids = new Set(handlers.flatMap((h) => h[ID_PARAMS] ?? []));
  // A validate(…, 'params') schema states a path parameter's shape (a delivery id is an integer).
  const pathInput = handlers.find((h) => h[INPUT]?.part === 'params')?.[INPUT];
  const pathProps = pathInput ? ((jsonSchema(pathInput.schema, 'input', named) as { properties?: Record<string, JsonSchema> }).properties ?? {}) : {};
  const out: JsonSchema[] = [];
  for (const [, name] of op.path.matchAll(/\{([^}]+)\}/g)) {
    const { description: own, ...declared } = (pathProps[name!] ?? {}) as { description?: string };
    const description = op.doc?.params?.[name!] ?? own ?? PARAMS[name!];
    const schema = Object.keys(declared).length ? declared : uuids.has(name!) ? { type: 'string', format: 'uuid' } : { type: 'string' };
    out.push({ name, in: 'path', required: true, ...(description ? { description } : {}), schema });
  }
  const query = handlers.find((h) => h[INPUT]?.part === 'query')?.[INPUT];
  if (query) {
    const js = jsonSchema(query.schema, 'input', named) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = schema as { description?: string };
      out.push({ name, in: 'query', required: (js.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest });
    }
  }
  return out;
}

function operationOf(op: Operation, handlers: Documented[], named: Record<string, JsonSchema>): JsonSchema {
  const d = op.doc;
  if (!d) return { summary: '(undescribed)', responses: { default: { $ref: '#/components/responses/Error' } } };
  const body = handlers.find((h) => h[INPUT]?.part === 'body')?.[INPUT];
  const responses: JsonSchema = {};
  for (const [status, r] of Object.entries(d.responses)) {
    const content = r.body ? { 'application/json': { schema: jsonSchema(r.body, 'output', named) } } : r.type ? { [r.type]: { schema: { type: 'string' } } } : undefined;
    const headers = r.headers ? Object.fromEntries(Object.entries(r.headers).map(([h, description]) => [h, { description, required: true, schema: { type: 'string' } }])) : undefined;
    responses[status] = { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
  }
  if (!d.public) {
    responses['4XX'] = { $ref: '#/components/responses/Error' };
  }
  responses['5XX'] = { $ref: '#/components/responses/Error' };
  const parameters = parametersOf(op, handlers, named);
  return {
    operationId: `${op.method}${op.path.replace(/\{([^}]+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: d.summary,
    description: d.description,
    tags: [d.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body.schema, 'input', named) } } } } : {}),
    responses,
    ...(d.public ? { security: [] } : d.platform ? { security: [{ platformCredential: [] }, { apiKey: [] }, { session: [] }] } : {}),
  };
}

/** The description of the router mounted at `basePath`; the same routes mounted twice are described once. */
export function describeApi(router: Router, info: { version: string; basePath: string }): Description {
  const found: Found[] = [];
  walk((router as unknown as { stack: Layer[] }).stack, '', found);
  const operations: Operation[] = [];
  const byRoute = new Map<object, Operation>();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const named: Record<string, JsonSchema> = {};
  for (const { expressPath, ...f } of found) {
    const op: Operation = { ...f, path: templateOf(expressPath) };
    byRoute.set(op.route, op);
    if (paths[op.path]?.[op.method]) continue;
    operations.push(op);
    const handlers = (op.route as { stack: { handle: Documented }[] }).stack.map((l) => l.handle);
    (paths[op.path] ??= {})[op.method] = operationOf(op, handlers, named);
  }
  const document = {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'orgbridge admin API',
      version: info.version,
      description:
        'Organizations, members, teams, roles, seats, domains, credentials and change events. ' +
        'Every refusal is `{error: {code, message, details?}}`; `message` is written for people.',
    },
    servers: [{ url: info.basePath }],
    security: [{ apiKey: [] }, { session: [] }],
    tags: [...new Set(operations.map((o) => o.doc?.tag).filter((t): t is string => !!t))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An admin API key (obkey_…) or a personal key, made in the dashboard or with POST /orgs/{org}/api-keys.' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'A dashboard session from signing in. Writes must also send the X-CSRF-Token header with the token from GET /me.',
        },
        platformCredential: { type: 'http', scheme: 'bearer', description: "The platform's credential (obplat_…, `orgbridge platform-credential create`): decisions and project/registry registration only." },
      },
      schemas: Object.fromEntries(Object.entries(named).sort(([a], [b]) => a.localeCompare(b))),
      responses: {
        Error: { description: 'A refusal or a failure, in the one error shape.', content: { 'application/json': { schema: jsonSchema(apiErrorBody, 'output', named) } } },
      },
    },
  };
  return { document, operations, byRoute };
}
