import { createHash } from 'node:crypto';

// The dashboard's one HTML page. Scripts are ES modules served by orgbridge itself; the
// bare names they import ("preact", "htm") resolve through an inline import map, which
// the CSP admits by its SHA-256 hash (IMPORT_MAP_CSP_SOURCE), so script-src stays 'self'
// plus this one exact text: no 'unsafe-inline', no CDN.

export const UI_BASE = '/ui';

const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: `${UI_BASE}/vendor/preact.mjs`,
    'preact/hooks': `${UI_BASE}/vendor/hooks.mjs`,
    htm: `${UI_BASE}/vendor/htm.mjs`,
  },
});

/** The CSP source expression that admits exactly the import map below. */
export const IMPORT_MAP_CSP_SOURCE = `'sha256-${createHash('sha256').update(IMPORT_MAP, 'utf8').digest('base64')}'`;

export function shellPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orgbridge · Organization dashboard</title>
<link rel="stylesheet" href="${UI_BASE}/app/style.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="${UI_BASE}/app/main.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the organization dashboard…</p>
<noscript><p>The organization dashboard needs JavaScript. The same operations are available through the admin API at /api/v1.</p></noscript></div>
</body>
</html>
`;
}
