/** The connector kinds this hub speaks: one line per kind. */
import { dvcqgAdapter } from './dvcqg/adapter.ts';
import { edxmlAdapter } from './edxml/adapter.ts';
import type { ConnectorAdapter } from './kit/adapter.ts';
import { vdxpAdapter } from './vdxp/adapter.ts';
import { webhookAdapter } from './webhook/adapter.ts';

export const ADAPTERS: readonly ConnectorAdapter[] = [webhookAdapter, edxmlAdapter, dvcqgAdapter, vdxpAdapter];
