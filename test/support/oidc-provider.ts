import { execFileSync } from 'node:child_process';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { fetchTrusting } from './https-fetch.ts';

// A real OpenID Provider (the oidc-provider package) started by the tests on a loopback
// port, over HTTPS with a throwaway CA (openid-client refuses plain http, and we do not
// switch that off). Accounts come from a table the test controls; its development login
// page is the login UI; consent is pre-granted for our one client.
//
// `tamper` rewrites the ID token in the next token responses, to prove the app refuses:
//   'wrong-nonce' — re-signed with the provider's own key, nonce changed;
//   'bad-signature' — payload changed (email), signature kept.

/** Keyed by account id, which oidc-provider also uses as `sub`. */
export interface TestAccount {
  email?: string;
  email_verified?: unknown;
  /** Entra ID's optional claim "email domain owner verified". */
  xms_edov?: unknown;
  name?: string;
  given_name?: string;
  family_name?: string;
  preferred_username?: string;
  groups?: string[];
}

export type TamperMode = 'wrong-nonce' | 'bad-signature' | null;

export interface TestOp {
  issuer: string;
  caPem: string;
  /** Trusts caPem; hand it to the app (sso.oidcFetch). */
  fetch: ReturnType<typeof fetchTrusting>;
  accounts: Map<string, TestAccount>;
  clientId: string;
  clientSecret: string;
  tamper: TamperMode;
  /** SPKI hash of the server certificate, for Chromium's --ignore-certificate-errors-spki-list. */
  spkiHash: string;
  stop(): Promise<void>;
}

function makeTls(dir: string): { key: string; cert: string; ca: string; spkiHash: string } {
  const sh = (cmd: string) => execFileSync('bash', ['-c', cmd], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=throwaway OP test CA" -keyout ca.key -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"`);
  sh(`openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr`);
  sh(`printf '%s\\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" > server.ext`);
  sh(`openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 -extfile server.ext -out server.pem`);
  const spkiHash = sh(`openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`).toString().trim();
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { key: read('server.key'), cert: read('server.pem'), ca: read('ca.pem'), spkiHash };
}

const b64 = (v: Buffer | string) => Buffer.from(v).toString('base64url');

function resign(jwt: string, key: KeyObject, kid: string, change: (p: Record<string, unknown>) => void): string {
  const [, payload] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  change(claims);
  const head = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64(JSON.stringify(claims));
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
  return `${head}.${body}.${b64(sig)}`;
}

function withPayload(jwt: string, change: (p: Record<string, unknown>) => void): string {
  const [head, payload, sig] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  change(claims);
  return `${head}.${b64(JSON.stringify(claims))}.${sig}`;
}

export async function startOidcProvider(opts: {
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
  /** A second, public client (no secret: PKCE only, token_endpoint_auth_method none). */
  publicClient?: { clientId: string; redirectUris: string[] };
  /** Where the OP may send the browser after RP-Initiated Logout (the main client). */
  postLogoutRedirectUris?: string[];
}): Promise<TestOp> {
  const dir = mkdtempSync(join(tmpdir(), 'orgbridge-op-'));
  const tls = makeTls(dir);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key-1';
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, TestAccount>();
  const clientId = opts.clientId ?? 'orgbridge-test';
  const clientSecret = opts.clientSecret ?? 'orgbridge-test-secret-0123456789';

  const server: Server = createServer({ key: tls.key, cert: tls.cert });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const issuer = `https://localhost:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      ...(opts.publicClient
        ? [{ client_id: opts.publicClient.clientId, redirect_uris: opts.publicClient.redirectUris, response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'none' }]
        : []),
    ],
    jwks: { keys: [jwk] },
    cookies: {
      keys: ['test-cookie-key-0123456789abcdef'],
      // Cookies are per host, not per port: keep clear of the app's names.
      names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_resume' },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified', 'xms_edov'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account, sub: id }) };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (_ctx, err) => process.stderr.write(`[test OP] server_error: ${String(err)}\n`));

  const op: TestOp = {
    issuer,
    caPem: tls.ca,
    fetch: fetchTrusting(tls.ca),
    accounts,
    clientId,
    clientSecret,
    tamper: null,
    spkiHash: tls.spkiHash,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.method !== 'POST' || !op.tamper) return;
    const body = ctx.body as { id_token?: string } | undefined;
    if (!body?.id_token) return;
    if (op.tamper === 'wrong-nonce') body.id_token = resign(body.id_token, privateKey, kid, (p) => void (p.nonce = 'not-the-nonce-we-sent'));
    if (op.tamper === 'bad-signature') body.id_token = withPayload(body.id_token, (p) => void (p.email = 'mallory@acme.example'));
  });

  server.on('request', provider.callback());
  return op;
}
