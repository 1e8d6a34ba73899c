// The dashboard's only way to the server: the admin API, same origin, session cookie.
// Writes carry the session's CSRF token (from GET /api/v1/me) in X-CSRF-Token.

let csrfToken = '';

export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** An admin API refusal: the stable code, and the message meant for people. */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : { code: 'internal', message: `The server answered ${res.status}.` };
    throw new ApiError(res.status, e.code, e.message, e.details);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** A refusal as a person should read it. The last-admin rule gets its own words. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong talking to the server. Try again.';
  if (err.code === 'last_admin') return `${err.message} Make someone else an admin first.`;
  if (err.code === 'unauthenticated') return 'Your session has ended. Sign in again.';
  if (err.code === 'csrf') return 'This page is out of date. Reload it and try again.';
  return err.message;
}
