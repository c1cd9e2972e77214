/**
 * The XML digital signature (XML-DSig) an edXML package may carry at the end of `edXMLHeader`
 * (domain/edxml.md): verified with xml-crypto over the package text as received, with the
 * certificate the signature itself carries (`KeyInfo/X509Data/X509Certificate`). This checks
 * integrity (the signed content was not altered since it was signed, by the holder of that
 * certificate's key); whether the certificate is trusted (a CA the government recognises) is the
 * recipient's business and is not decided here.
 *
 * The result goes into `data.edxml.signature` (`valid`, `invalid` or `absent`, the signer's
 * certificate subject) so the trace and every recipient can see it; whether an invalid one is
 * refused is the connector's setting (`refuseInvalidSignatures`).
 */
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

export interface SignatureCheck {
  readonly status: 'valid' | 'invalid' | 'absent';
  /** The signing certificate's subject (`CN=..., O=...`), when the signature carries one. */
  readonly signer?: string;
  /** Why an invalid signature is invalid, for people (the trace, the sender). */
  readonly reason?: string;
}

/** The Signature elements of `xml` in the XML-DSig namespace, as text (prefixed or default-namespaced). */
function signatureElements(xml: string): string[] {
  const found: string[] = [];
  const open = /<(?:([A-Za-z_][\w.-]*):)?Signature\b[^>]*>/g;
  for (let m = open.exec(xml); m; m = open.exec(xml)) {
    const prefix = m[1] ? `${m[1]}:` : '';
    const close = xml.indexOf(`</${prefix}Signature>`, m.index);
    if (close === -1) continue;
    const element = xml.slice(m.index, close + `</${prefix}Signature>`.length);
    if (element.includes(XMLDSIG_NAMESPACE) || xml.includes(`xmlns:${m[1] ?? ''}="${XMLDSIG_NAMESPACE}"`)) found.push(element);
    open.lastIndex = close;
  }
  return found;
}

/** Whether `xml` has an XML-DSig Signature element (a cheap look before `checkSignature`). */
export function hasSignature(xml: string): boolean {
  return signatureElements(xml).length > 0;
}

/**
 * Checks the first XML-DSig signature in `xml` (the package text, DTD-free: the codec refuses DTDs
 * before this runs). Never throws: a signature that cannot be read is `invalid` with the reason.
 */
export function checkSignature(xml: string): SignatureCheck {
  const [element] = signatureElements(xml);
  if (!element) return { status: 'absent' };
  const signer = signerOf(element);
  try {
    const verifier = new SignedXml({ getCertFromKeyInfo: SignedXml.getCertFromKeyInfo });
    verifier.loadSignature(element);
    const valid = verifier.checkSignature(xml);
    return valid ? { status: 'valid', ...signer } : { status: 'invalid', ...signer, reason: 'the signature does not match the signed content' };
  } catch (err) {
    return { status: 'invalid', ...signer, reason: (err as Error).message.split('\n')[0]!.slice(0, 300) };
  }
}

function signerOf(signature: string): { signer?: string } {
  const base64 = /<(?:[\w.-]+:)?X509Certificate>([\s\S]*?)<\/(?:[\w.-]+:)?X509Certificate>/.exec(signature)?.[1]?.replace(/\s+/g, '');
  if (!base64) return {};
  try {
    const subject = new X509Certificate(Buffer.from(base64, 'base64')).subject.split('\n').join(', ');
    return subject ? { signer: subject } : {};
  } catch {
    return {};
  }
}
