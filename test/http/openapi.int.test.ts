/**
 * `/openapi.json` against the running hub, both ways: every route the hub's express app serves is
 * in the document, every documented operation is answered by a route, with a documented status,
 * content type and body shape, and every operation that states a caller refuses anyone else.
 *
 * The routes are read from the live app's router stack, not from the route files' source: the
 * hub builds its app in `startHub` and does not expose it, so `createApp` is wrapped (the real
 * one, unchanged) to keep a reference to the app it returns. The stack is what express matches
 * requests against, so routes registered from arrays, loops or variables count too.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as AppModule from '../../src/http/app.ts';
import type { Hub } from '../../src/hub.ts';
import { asOperator, registerConnector, startTestHub, testConfig, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const built = vi.hoisted(() => ({ apps: [] as unknown[] }));
vi.mock('../../src/http/app.ts', async (importOriginal) => {
  const original = await importOriginal<typeof AppModule>();
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
  security: unknown[];
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, { content: Record<string, unknown> }> } };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const MAX_BATCH = 3;
const MAX_BODY_BYTES = 65_536;

/** `METHOD path` of every route in the stack; nested routers must be mounted at `/`. */
function routesOf(stack: readonly Layer[]): string[] {
  return stack.flatMap((layer): string[] => {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
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

/** An express path as a shape: `:id` and `*rest` → `{}`, `\:` (an escaped colon: a custom method) → `:`. */
const expressShape = (route: string) => route.replace(/\\(.)|[:*](\w+)/g, (_m, escaped: string | undefined) => escaped ?? '{}');
/** A documented path as a shape: `{id}` → `{}`. */
const documentedShape = (route: string) => route.replace(/\{[^}]+\}/g, '{}');
/** A JSON Pointer token inside a URI fragment. */
const token = (key: string) => encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));

describe('GET /openapi.json', () => {
  let hub: Hub;
  let app: Express;
  let doc: Doc;
  let documented: { method: string; path: string; op: Operation }[];
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajvFormats.default(ajv);

  beforeAll(async () => {
    built.apps.length = 0;
    hub = await startTestHub(testConfig({ LGSP_MAX_BATCH: String(MAX_BATCH), LGSP_MAX_BODY_BYTES: String(MAX_BODY_BYTES) }));
    expect(built.apps).toHaveLength(1);
    app = built.apps[0] as Express;
    doc = (await (await fetch(`${hub.url}/openapi.json`)).json()) as Doc;
    ajv.addSchema(doc, 'urn:lgsp-hub:openapi');
    documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((method) => ({ method, path, op: item[method]! })),
    );
  });
  afterAll(() => hub?.close());

  /** The request that reaches a documented operation's handler: its example path, a `{}` body in its first media type. */
  function request({ method, path, op }: { method: string; path: string; op: Operation }, headers: Record<string, string>) {
    const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const example = op.parameters?.find((p) => p.in === 'path' && p.name === name)?.example;
      if (example === undefined) throw new Error(`${method} ${path}: no example for {${name}}`);
      return example;
    });
    const declared = op.requestBody ? Object.keys(op.requestBody.content)[0]! : undefined;
    const contentType = declared?.includes('*') ? 'application/octet-stream' : declared;
    return {
      url,
      response: fetch(`${hub.url}${url}`, {
        method: method.toUpperCase(),
        headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
        ...(contentType ? { body: contentType.endsWith('json') ? '{}' : '' } : {}),
      }),
    };
  }

  /** Checks an answer against the operation's documented response for its status: content type and, for JSON, the schema. */
  async function expectDocumented(method: string, path: string, op: Operation, res: Response, name: string): Promise<void> {
    const documentedResponse = op.responses[String(res.status)];
    expect(documentedResponse, `${name}: status ${res.status} is documented`).toBeDefined();
    const pointer = documentedResponse!.$ref
      ? `#/components/responses/${documentedResponse!.$ref.split('/').pop()}`
      : `#/paths/${token(path)}/${method}/responses/${res.status}`;
    const content = documentedResponse!.$ref ? doc.components.responses[documentedResponse!.$ref.split('/').pop()!]!.content : documentedResponse!.content;
    const body = await res.text();
    if (!content) {
      expect(body, `${name}: no body documented`).toBe('');
      return;
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
    expect(Object.keys(content), `${name}: content type`).toContain(type);
    if (!type.endsWith('json')) return;
    const validate = ajv.compile({ $ref: `urn:lgsp-hub:openapi${pointer}/content/${token(type)}/schema` });
    expect(validate(JSON.parse(body)), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))} ${body.slice(0, 300)}`).toBe(true);
  }

  it('serves the document without credentials, as the hub is configured', async () => {
    const res = await fetch(`${hub.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const send = doc.paths['/v1/messages']!.post!.requestBody as { description: string; content: Record<string, { schema: { maxItems: number } }> };
    expect(send.content['application/cloudevents-batch+json']!.schema.maxItems).toBe(MAX_BATCH);
    expect(send.description).toContain(`At most ${MAX_BODY_BYTES} bytes`);
  });

  it('documents every route the hub serves, and nothing else', () => {
    const served = new Set(
      routesOf((app as unknown as { router: { stack: Layer[] } }).router.stack).map((r) => {
        const [method, path] = r.split(' ') as [string, string];
        return `${method} ${expressShape(path)}`;
      }),
    );
    const inDocument = new Set(documented.map(({ method, path }) => `${method.toUpperCase()} ${documentedShape(path)}`));
    expect(served.size).toBeGreaterThan(15);
    expect(
      [...served].filter((r) => !inDocument.has(r)),
      'served but not in /openapi.json',
    ).toEqual([]);
    expect(
      [...inDocument].filter((r) => !served.has(r)),
      'in /openapi.json but not served',
    ).toEqual([]);
  });

  it('answers every documented operation from its route, with a documented status, type and shape', async () => {
    for (const operation of documented) {
      // The operator token and an empty body: enough to reach each handler, never enough to write.
      const { url, response } = request(operation, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
      const res = await response;
      const name = `${operation.method.toUpperCase()} ${url}: ${res.status}`;
      if (res.status === 404) expect(((await res.clone().json()) as { detail: string }).detail, name).not.toMatch(/^No route for/);
      await expectDocumented(operation.method, operation.path, operation.op, res, name);
    }
  });

  it('refuses every operation that states a caller to a request without one (deny by default)', async () => {
    for (const operation of documented) {
      const { url, response } = request(operation, {});
      const res = await response;
      const name = `${operation.method.toUpperCase()} ${url}: ${res.status}`;
      if (operation.op.security.length > 0) {
        expect(res.status, name).toBe(401);
        expect(res.headers.get('www-authenticate'), name).toBe('Bearer realm="lgsp-hub"');
      } else {
        expect([200, 503], name).toContain(res.status);
      }
      await expectDocumented(operation.method, operation.path, operation.op, res, name);
    }
  });

  it('answers with the documented shapes for real records', async () => {
    const { sender } = await seedSenders(hub.url);
    await registerConnector(hub.url, {
      id: 'qn-dvcqg',
      agency: '000.00.00.H49',
      kind: 'dvcqg',
      settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: 'mat-khau', dstcode: 'H49', madonvi: 'H49' },
    });
    const check = async (method: string, path: string, res: Response) => {
      const op = doc.paths[path]![method]!;
      await expectDocumented(method, path, op, res, `${method.toUpperCase()} ${path}: ${res.status}`);
    };
    await check('get', '/v1/agencies', await asOperator(hub.url, '/v1/agencies'));
    await check('get', '/v1/agencies/{code}', await asOperator(hub.url, '/v1/agencies/000.00.15.H49'));
    await check('get', '/v1/connectors', await asOperator(hub.url, '/v1/connectors'));
    await check('get', '/v1/connectors/{id}', await asOperator(hub.url, '/v1/connectors/qn-dvcqg'));
    await check(
      'post',
      '/v1/connectors:validate',
      await asOperator(hub.url, '/v1/connectors:validate', { body: { id: 'qn-dry-run', agency: '000.00.16.H49', kind: 'webhook' } }),
    );
    await check('post', '/v1/connectors/{id}:rotate', await asOperator(hub.url, '/v1/connectors/qn-dvcqg:rotate', { method: 'POST' }));
    const sent = await post(hub.url, documentSent({ to: undefined }), { token: sender });
    const { accepted } = (await sent.clone().json()) as { accepted: { trace: string }[] };
    await check('post', '/v1/messages', sent);
    const trace = await waitFor('the trace', async () => {
      const res = await asOperator(hub.url, accepted[0]!.trace);
      return res.status === 200 && res;
    });
    await check('get', '/v1/messages/{id}', trace);
    await check('get', '/v1/dead-letters', await asOperator(hub.url, '/v1/dead-letters?includeReplayed=true'));
    await check('post', '/v1/operators', await asOperator(hub.url, '/v1/operators', { body: { name: 'lan', role: 'viewer' } }));
    await check('post', '/v1/operators/{name}:rotate', await asOperator(hub.url, '/v1/operators/lan:rotate?overlap=1h', { method: 'POST' }));
    await check('get', '/v1/operators', await asOperator(hub.url, '/v1/operators'));
    await check('get', '/v1/audit', await asOperator(hub.url, '/v1/audit'));
  });

  it('answers a malformed percent-encoding in a path parameter as a 400 problem, not a 500', async () => {
    const res = await fetch(`${hub.url}/v1/messages/%E0%A4%A`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/malformed-request', status: 400 });
    await expectDocumented(
      'get',
      '/v1/messages/{id}',
      doc.paths['/v1/messages/{id}']!.get!,
      await fetch(`${hub.url}/v1/messages/%E0%A4%A`),
      'GET /v1/messages/%E0%A4%A',
    );
  });
});
