/**
 * The connector kinds this hub speaks: one line per kind. Everything else about a kind is in its
 * folder: the hub, the conformance kit and its suite, and the router read each kind's capabilities
 * and facts (`kit/kind-facts.ts`) from this list. How to write one: docs/connectors.md.
 */
import { dvcqgAdapter } from './dvcqg/adapter.ts';
import { edxmlAdapter } from './edxml/adapter.ts';
import type { ConnectorAdapter } from './kit/adapter.ts';
import { vdxpAdapter } from './vdxp/adapter.ts';
import { webhookAdapter } from './webhook/adapter.ts';

export const ADAPTERS: readonly ConnectorAdapter[] = [webhookAdapter, edxmlAdapter, dvcqgAdapter, vdxpAdapter];
