import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

// A fetch for tests that trusts a given CA (Node 20's global fetch cannot be told to):
// the app's openid-client gets it as its customFetch, and the test's own cookie-jar
// agent uses it to talk to the OpenID Provider and the app. Never follows redirects.

export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Headers | [string, string][];
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null;
  signal?: AbortSignal | null;
}

export function fetchTrusting(ca: string | undefined) {
  return async (input: string | URL, init: FetchInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    let body: Buffer | undefined;
    if (init.body !== undefined && init.body !== null) {
      // Let Response do the encoding (and the content type of a URLSearchParams body).
      const encoded = new Response(init.body as ConstructorParameters<typeof Response>[0]);
      body = Buffer.from(await encoded.arrayBuffer());
      const type = encoded.headers.get('content-type');
      if (type && !headers.has('content-type')) headers.set('content-type', type);
      headers.set('content-length', String(body.length));
    }
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method: init.method ?? 'GET', headers: Object.fromEntries(headers.entries()), ...(url.protocol === 'https:' && ca ? { ca } : {}), signal: init.signal ?? undefined },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const x of v) h.append(k, x);
              else if (v !== undefined) h.set(k, v);
            }
            const status = res.statusCode ?? 500;
            const nullBody = [101, 204, 205, 304].includes(status);
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: h }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

/** A cookie-jar user agent over fetchTrusting: one per simulated browser. */
export class Agent {
  private readonly jar = new Map<string, Map<string, string>>();
  private readonly fetch: ReturnType<typeof fetchTrusting>;
  constructor(ca?: string) {
    this.fetch = fetchTrusting(ca);
  }

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    let m = this.jar.get(host);
    if (!m) this.jar.set(host, (m = new Map()));
    return m;
  }

  async request(url: string, init: FetchInit & { form?: Record<string, string> } = {}): Promise<Response & { location: string | null }> {
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    const jar = this.cookies(url);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) body = new URLSearchParams(init.form);
    const res = await this.fetch(url, { ...init, headers, body, method: init.method ?? (init.form ? 'POST' : 'GET') });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    return Object.assign(res, { location: location ? new URL(location, url).href : null });
  }

  /** Follows redirects (GET) until a non-redirect or a URL for which `stop` is true. */
  async follow(url: string, stop: (u: string) => boolean = () => false, init: FetchInit & { form?: Record<string, string> } = {}) {
    let res = await this.request(url, init);
    for (let i = 0; i < 20 && res.location && res.status >= 300 && res.status < 400; i++) {
      if (stop(res.location)) return res;
      res = await this.request(res.location);
    }
    return res;
  }
}
