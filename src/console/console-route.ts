/**
 * The dead-letter workbench: `GET /console` serves a static page (`public/`: one HTML file, one
 * script, one stylesheet; no build step, no framework, nothing fetched from elsewhere). The page
 * holds no data, so it loads without a token; it asks the operator for LGSP_ADMIN_TOKEN and every
 * data call it makes (`/v1/connectors`, `/v1/dead-letters`, `/v1/messages`, `/metrics`) carries it.
 *
 * The files are read once, when the router is made: a missing file fails the hub's start, not a
 * request. The Content-Security-Policy allows only this origin, so data an agency system put in a
 * reason or response can never run as script (the page also renders it only as text).
 */
import { readFileSync } from 'node:fs';
import { Router } from 'express';

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const PUBLIC = new URL('./public/', import.meta.url);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The page and its files change with the hub's version; always ask again (they are small).
  'Cache-Control': 'no-cache',
};

export function consoleRoute(): Router {
  const assets = new Map<string, Asset>([
    ['/console', asset('index.html', 'text/html; charset=utf-8')],
    ['/console/console.js', asset('console.js', 'text/javascript; charset=utf-8')],
    ['/console/console.css', asset('console.css', 'text/css; charset=utf-8')],
  ]);
  const router = Router();
  for (const [path, { type, body }] of assets) {
    router.get(path, (_req, res) => {
      res.set(SECURITY_HEADERS).type(type).send(body);
    });
  }
  return router;
}

function asset(name: string, type: string): Asset {
  return { type, body: readFileSync(new URL(name, PUBLIC)) };
}
