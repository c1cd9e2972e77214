/**
 * The dead-letter workbench, sending rights and audit trail: `GET /console` serves a static page
 * (`public/`: one HTML file, one script, one stylesheet; no build step, no framework, nothing
 * fetched from elsewhere). The page holds no data, so it loads without a token; it asks for the operator's own
 * token (the bootstrap admin's is LGSP_ADMIN_TOKEN) and every data call it makes
 * (`/v1/connectors`, `/v1/dead-letters`, `/v1/policies`, `/v1/audit`, `/v1/messages`, `/metrics`)
 * carries it.
 *
 * The files are read once, when the routes are made: a missing file fails the hub's start, not a
 * request. The Content-Security-Policy allows only this origin, so data an agency system put in a
 * reason or response can never run as script (the page also renders it only as text).
 */
import { readFileSync } from 'node:fs';
import { route, type Route } from '../http/route.ts';

const PUBLIC = new URL('./public/', import.meta.url);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // The page and its files change with the hub's version; always ask again (they are small).
  'Cache-Control': 'no-cache',
};

export function consoleRoutes(): Route[] {
  const assets = [
    {
      path: '/console',
      file: 'index.html',
      type: 'text/html',
      summary: 'The dead-letter workbench (a page; it asks for the operator token)',
      description: 'The page.',
    },
    { path: '/console/console.js', file: 'console.js', type: 'text/javascript', summary: "The workbench's script", description: 'JavaScript.' },
    { path: '/console/console.css', file: 'console.css', type: 'text/css', summary: "The workbench's stylesheet", description: 'CSS.' },
  ];
  return assets.map(({ path, file, type, summary, description }) => {
    const body = readFileSync(new URL(file, PUBLIC));
    return route({
      method: 'get',
      path,
      auth: 'public',
      tag: 'console',
      summary,
      responses: { 200: { description, content: { [type]: { type: 'string' } } } },
      handle: () => ({ status: 200, headers: SECURITY_HEADERS, type: `${type}; charset=utf-8`, body }),
    });
  });
}
