/**
 * The edXML codec (QCVN 102:2016/BTTTT, /work/shared/domain/edxml.md): pure functions between
 * edXML packages and the hub's canonical `vn.gov.document.*` v1 events. The connector (HTTP
 * inbound, polling the national axis, outbound delivery) is built on these and nothing else.
 *
 * - `decodeEdxml(body, options)`: package (bare, SOAP 1.1, multipart/related) → events, every
 *   element kept (modelled fields, the rest in `data.edxml`, layout.ts), the signature checked;
 *   refuses unsafe or meaningless input with `EdxmlError` naming the path and the rule.
 * - `encodeEdxml(event)`: event → package text, `edXML:` prefix on every element, the original's
 *   leaves in the original's order when the event came from edXML. docs/edxml.md has the mapping.
 */
export { decodeEdxml, type DecodeOptions } from './decode.ts';
export { encodeEdxml } from './encode.ts';
export { EdxmlError, EDXML_ERROR_CODES, type EdxmlErrorCode } from './errors.ts';
export { DEFAULT_LIMITS, type ParseLimits } from './parse.ts';
export { STATUS_NAMES } from './decode-status.ts';
export { EDXML_NAMESPACE, XLINK_NAMESPACE } from './xml-writer.ts';
