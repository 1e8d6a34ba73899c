import { URN } from './constants.ts';

// The one SCIM protocol error (RFC 7644 §3.12). The constructor refuses a scimType
// paired with a status the RFC does not give it, so a handler cannot invent a
// combination an IdP would misread.

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** RFC 7644 Table 9: the status each scimType is returned with. */
const STATUS_OF: Record<ScimType, number> = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
};

export class ScimError extends Error {
  override name = 'ScimError';
  constructor(
    readonly status: number,
    readonly scimType: ScimType | null,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new TypeError(`ScimError: ${status} is not an error status`);
    if (scimType !== null && STATUS_OF[scimType] !== status) {
      throw new TypeError(`ScimError: scimType ${scimType} goes with ${STATUS_OF[scimType] ?? 'no'} status, not ${status}`);
    }
  }
}

// Two-line factories, one per protocol error.
export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const tooMany = (detail: string) => new ScimError(400, 'tooMany', detail);
export const uniquenessError = (detail: string) => new ScimError(409, 'uniqueness', detail);
export const notFound = (detail: string) => new ScimError(404, null, detail);
export const preconditionFailed = (detail: string) => new ScimError(412, null, detail);
export const payloadTooLarge = (detail: string) => new ScimError(413, null, detail);
export const methodNotAllowed = (allow: string[]) =>
  new ScimError(405, null, `method not allowed here; allowed: ${allow.join(', ')}`, { Allow: allow.join(', ') });
export const unauthorized = (detail: string) =>
  new ScimError(401, null, detail, { 'WWW-Authenticate': 'Bearer realm="orgbridge"' });

/** The error body: always `schemas`, `status` as a string, and `detail`. */
export function renderError(err: ScimError): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { schemas: [URN.error], status: String(err.status) };
  if (err.scimType) body.scimType = err.scimType;
  body.detail = err.detail;
  return { status: err.status, headers: err.headers, body };
}
