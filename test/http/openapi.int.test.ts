/**
 * `/openapi.json` against the running hub, both ways: every route the hub's express app serves is
 * in the document, and every documented operation is answered by a route.
 *
 * The routes are read from the live app's router stack, not from the route files' source: the
 * hub builds its app in `startHub` and does not expose it, so `createApp` is wrapped (the real
 * one, unchanged) to keep a reference to the app it returns. The stack is what express matches
 * requests against, so routes registered from arrays, loops or variables count too, which a
 * regular expression over `router.get('...')` would miss.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { openApiDocument } from '../../src/http/openapi.ts';
import { startTestHub, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';

const built = vi.hoisted(() => ({ apps: [] as unknown[] }));
vi.mock('../../src/http/app.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/http/app.ts')>();
  return {
    ...original,
    createApp: (...args: Parameters<typeof original.createApp>) => {
      const app = original.createApp(...args);
      built.apps.push(app);
      return app;
    },
  };
});

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  slash?: boolean;
}
interface Operation {
  parameters?: { name: string; in: string; example?: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `METHOD path` of every route in the stack; nested routers must be mounted at `/`. */
function routesOf(stack: readonly Layer[]): string[] {
  return stack.flatMap((layer): string[] => {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all'); // `router.all(paths, auth)` is middleware
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      return methods.flatMap((m) => paths.map((p) => `${m.toUpperCase()} ${p}`));
    }
    if (layer.handle?.stack) {
      if (!layer.slash) throw new Error('a router mounted under a path prefix: teach routesOf to prepend it');
      return routesOf(layer.handle.stack);
    }
    return [];
  });
}

/** An express path as a shape: `:id` → `{}`, `\:` (an escaped colon) → `:`. */
function expressShape(route: string): string {
  return route.replace(/\\(.)|:(\w+)/g, (_m, escaped: string | undefined) => escaped ?? '{}');
}

/**
 * A documented path as the express route that serves it: `{id}` → `{}`, and a custom method
 * `{id}:rotate` → `{}`, because express's `:target` takes the whole segment and the handler
 * dispatches on the suffix (the probe below proves the suffix is the one it knows).
 */
function documentedShape(route: string): string {
  return route.replace(/\{[^}]+\}(:[a-z]+)?/g, '{}');
}

describe('GET /openapi.json', () => {
  let hub: Hub;
  let app: Express;
  const doc = openApiDocument() as Doc;
  const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((method) => ({ method, path, op: item[method]! })),
  );

  beforeAll(async () => {
    built.apps.length = 0;
    hub = await startTestHub();
    expect(built.apps).toHaveLength(1);
    app = built.apps[0] as Express;
  });
  afterAll(() => hub?.close());

  it('serves the document without credentials', async () => {
    const res = await fetch(`${hub.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { openapi: string };
    expect(body.openapi).toBe('3.1.0');
    expect(body).toEqual(openApiDocument());
  });

  it('documents every route the hub serves, and nothing else', () => {
    const served = new Set(routesOf((app as unknown as { router: { stack: Layer[] } }).router.stack).map((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return `${method} ${expressShape(path)}`;
    }));
    const inDocument = new Set(documented.map(({ method, path }) => `${method.toUpperCase()} ${documentedShape(path)}`));
    expect(served.size).toBeGreaterThan(15);
    expect([...served].filter((r) => !inDocument.has(r)), 'served but not in /openapi.json').toEqual([]);
    expect([...inDocument].filter((r) => !served.has(r)), 'in /openapi.json but not served').toEqual([]);
  });

  it('answers every documented operation from a route, with a documented status', async () => {
    for (const { method, path, op } of documented) {
      const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const example = op.parameters?.find((p) => p.in === 'path' && p.name === name)?.example;
        if (example === undefined) throw new Error(`${method} ${path}: no example for {${name}}`);
        return example;
      });
      const contentType = op.requestBody ? Object.keys(op.requestBody.content)[0]! : undefined;
      // The operator token and an empty body: enough to reach each handler, never enough to write.
      const res = await fetch(`${hub.url}${url}`, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(contentType ? { 'content-type': contentType } : {}) },
        ...(contentType ? { body: contentType.endsWith('json') ? '{}' : '' } : {}),
      });
      const text = await res.text();
      const name = `${method.toUpperCase()} ${url}: ${res.status} ${text.slice(0, 200)}`;
      if (res.status === 404) expect((JSON.parse(text) as { detail: string }).detail, name).not.toMatch(/^No route for/);
      expect(Object.keys(op.responses), name).toContain(String(res.status));
    }
  });
});
