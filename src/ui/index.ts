import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { AppDeps } from '../http/deps.ts';
import { shellPage, UI_BASE } from './shell.ts';

export { IMPORT_MAP_CSP_SOURCE } from './shell.ts';

// The web dashboard, served by orgbridge on the same origin as the admin API it calls:
//   /admin         the HTML shell (client-side routes live in the #fragment)
//   /ui/app/*      the dashboard's own ES modules and stylesheet (src/ui/public)
//   /ui/vendor/*   preact, preact/hooks and htm, straight from node_modules
// No build step: what `npm install` put in node_modules is what the browser runs.

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');
const require = createRequire(import.meta.url);

const VENDOR: Record<string, string> = {
  'preact.mjs': require.resolve('preact'),
  'hooks.mjs': require.resolve('preact/hooks'),
  // htm's "require" entry is CommonJS; its ES module sits beside it.
  'htm.mjs': join(dirname(require.resolve('htm')), 'htm.mjs'),
};

export function uiRouter(_deps: AppDeps): Router {
  const r = Router();
  const page = shellPage();

  r.get(['/admin', '/admin/'], (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page);
  });
  r.get('/', (_req, res) => res.redirect(302, '/admin'));
  r.get('/favicon.ico', (_req, res) => res.status(204).end());

  r.get(`${UI_BASE}/vendor/:file`, (req, res, next) => {
    const file = VENDOR[String(req.params.file)];
    if (!file) return next();
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('text/javascript').sendFile(file);
  });
  r.use(`${UI_BASE}/app`, express.static(PUBLIC_DIR, { index: false, fallthrough: true, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  return r;
}
