import type { ScimContext, ScimRequest, ScimResponse } from './core.ts';
import { invalidSyntax, methodNotAllowed, notFound, ScimError } from './errors.ts';
import { handleBulk } from './bulk.ts';
import type { ListSource } from './resources/list.ts';
import { resourceType, resourceTypes, schema, schemas, serviceProviderConfig } from './resources/discovery.ts';
import { rootSearch } from './resources/root-search.ts';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from './resources/groups/handlers.ts';
import { createRole, deleteRole, getRole, listRoles, patchRole, replaceRole } from './resources/roles/handlers.ts';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from './resources/users/handlers.ts';
import { UUID } from '../lib/uuid.ts';

// Every SCIM endpoint in one table: path pattern → method → handler. A known path with
// another method is 405 (with Allow); an unknown path is 404.

type Handler = (ctx: ScimContext, req: ScimRequest, params: string[]) => Promise<ScimResponse> | ScimResponse;
interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const searchBody = (req: ScimRequest): Record<string, unknown> => {
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw invalidSyntax('search body must be a JSON object');
  const { schemas: _s, ...rest } = req.body as Record<string, unknown>;
  return rest;
};

type Lister = (ctx: ScimContext, q: Record<string, unknown>, source: ListSource) => Promise<ScimResponse>;

const resource = (list: Lister, create: Handler, get: Handler, put: Handler, patch: Handler, del: Handler, name: string): Route[] => [
  { pattern: new RegExp(`^/${name}/?$`, 'i'), methods: { GET: (c, r) => list(c, r.query, { inUri: true }), POST: create } },
  { pattern: new RegExp(`^/${name}/\\.search/?$`, 'i'), methods: { POST: (c, r) => list(c, searchBody(r), { inUri: false }) } },
  { pattern: new RegExp(`^/${name}/([^/]+)/?$`, 'i'), methods: { GET: get, PUT: put, PATCH: patch, DELETE: del } },
];

const ROUTES: Route[] = [
  { pattern: /^\/ServiceProviderConfigs?\/?$/i, methods: { GET: (c) => serviceProviderConfig(c) } },
  { pattern: /^\/ResourceTypes\/?$/i, methods: { GET: (c) => resourceTypes(c) } },
  { pattern: /^\/ResourceTypes\/([^/]+)\/?$/i, methods: { GET: (c, _r, [id]) => resourceType(c, id!) } },
  { pattern: /^\/Schemas\/?$/i, methods: { GET: (c) => schemas(c) } },
  { pattern: /^\/Schemas\/([^/]+)\/?$/i, methods: { GET: (c, _r, [id]) => schema(c, id!) } },
  { pattern: /^\/Bulk\/?$/i, methods: { POST: (c, r) => handleBulk(c, r, dispatch) } },
  // RFC 7644 §3.4.3: a search at the root spans every resource type.
  { pattern: /^\/\.search\/?$/i, methods: { POST: (c, r) => rootSearch(c, searchBody(r), [listUsers, listGroups, listRoles]) } },
  ...resource(listUsers, createUser, (c, r, [id]) => getUser(c, r, id!), (c, r, [id]) => replaceUser(c, r, id!), (c, r, [id]) => patchUser(c, r, id!), (c, r, [id]) => deleteUser(c, r, id!), 'Users'),
  ...resource(listGroups, createGroup, (c, r, [id]) => getGroup(c, r, id!), (c, r, [id]) => replaceGroup(c, r, id!), (c, r, [id]) => patchGroup(c, r, id!), (c, r, [id]) => deleteGroup(c, r, id!), 'Groups'),
  ...resource(listRoles, createRole, (c, r, [id]) => getRole(c, r, id!), (c, r, [id]) => replaceRole(c, r, id!), (c, r, [id]) => patchRole(c, r, id!), (c, r, [id]) => deleteRole(c, r, id!), 'Roles'),
];


/** Routes one request; throws ScimError (or a DomainError) for the error middleware. */
export async function dispatch(ctx: ScimContext, req: ScimRequest): Promise<ScimResponse> {
  for (const route of ROUTES) {
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw notFound(`no SCIM resource at ${req.path}`); // malformed %-escapes name nothing
    }
    const handler = route.methods[req.method.toUpperCase()] ?? (req.method.toUpperCase() === 'HEAD' ? route.methods.GET : undefined);
    if (!handler) throw methodNotAllowed(Object.keys(route.methods));
    // Ids are UUIDs: anything else names no resource (and never reaches SQL as a uuid).
    if (params.length && /^\/(Users|Groups|Roles)\//i.test(req.path) && !UUID.test(params[0]!)) {
      throw notFound(`${req.path.split('/')[1]} ${params[0]} not found`);
    }
    return handler(ctx, req, params);
  }
  // RFC 7644 §3.13: a version in the path that is not ours is invalidVers, not a missing
  // endpoint (/scim/v1/Users reaches the /scim mount as /v1/Users).
  const version = /^\/v(\d+)(?:\/|$)/i.exec(req.path);
  if (version && version[1] !== '2') {
    throw new ScimError(400, 'invalidVers', `SCIM protocol version ${version[1]} is not supported; this service provider speaks SCIM 2.0 at /scim/v2`);
  }
  throw notFound(`no SCIM endpoint at ${req.path}`);
}
