// The last line of defence for secrets in logs (issue 14 item 8): every line the logger
// writes, at every level and from every caller, passes through scrubSecrets before it
// reaches the destination. Field redaction (REDACT_PATHS) covers credential-shaped
// fields; this covers secrets that travel inside strings: request URLs (one-time link
// tokens in paths, OIDC `code`/`state` in query strings), error messages that quote a URL,
// an Authorization header or a cookie copied into a message.

const R = '[redacted]';

const RULES: [RegExp, string][] = [
  // orgbridge's own secrets by their prefix (src/lib/secrets.ts newSecret): invitation,
  // SCIM token, break-glass link, setup link, API key, service-account key, platform
  // credential; and webhook signing secrets (Standard Webhooks' `whsec_` + base64).
  [/\bob(?:inv|scim|g|setup|key|sak|plat)_[A-Za-z0-9_-]{16,}/g, R],
  [/\bwhsec_[A-Za-z0-9+/=]{16,}/g, R],
  // One-time links carry their token as the last path segment, whatever its shape.
  [/(\/auth\/(?:link|setup|invite)\/)[^/?#\s"\\]+/g, `$1${R}`],
  // OAuth 2.0 / OIDC parameters (RFC 6749 §4.1.2, OIDC Core §3.1.2.5) and token-shaped
  // query parameters in any URL.
  [/([?&](?:code|state|session_state|token|access_token|id_token|refresh_token|client_secret|password|key)=)[^&#\s"\\]*/gi, `$1${R}`],
  // An Authorization header value (RFC 6750 §2.1; Basic too) quoted anywhere.
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/-]+=*/gi, `$1$2${R}`],
  // orgbridge's cookies (session, sign-in CSRF) quoted anywhere.
  [/\b(orgbridge\.[A-Za-z_]+=)[^;,\s"\\]+/g, `$1${R}`],
];

// A cheap pre-check: most lines hold none of the markers, and skip every replace.
const MARKERS = /ob(?:inv|scim|g|setup|key|sak|plat)_|whsec_|\/auth\/|[?&][a-z_]+=|bearer|basic|orgbridge\./i;

export function scrubSecrets(line: string): string {
  if (!MARKERS.test(line)) return line;
  let out = line;
  for (const [re, to] of RULES) out = out.replace(re, to);
  return out;
}
