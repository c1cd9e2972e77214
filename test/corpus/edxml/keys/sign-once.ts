/**
 * Run once, by hand, to sign 05-signed.unsigned.xml into 05-signed.xml (an enveloped XML-DSig over
 * the whole package, placed at the end of edXMLHeader, as the facts file says): RSA-SHA256,
 * exclusive C14N, the throwaway key and self-signed certificate of this folder (a test fixture,
 * not a real certificate: never trust it). Not run by the tests: 05-signed.xml is committed and
 * was checked by hand (README.md).
 *   node test/corpus/edxml/keys/sign-once.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SignedXml } from 'xml-crypto';

const here = (name: string) => new URL(`./${name}`, import.meta.url);
const xml = readFileSync(here('../05-signed.unsigned.xml'), 'utf8');
const signer = new SignedXml({
  privateKey: readFileSync(here('throwaway-signer.key')),
  publicCert: readFileSync(here('throwaway-signer.crt')),
  signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
});
signer.addReference({
  xpath: "/*[local-name(.)='edXML']",
  digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  isEmptyUri: true,
});
signer.computeSignature(xml, { location: { reference: "//*[local-name(.)='edXMLHeader']", action: 'append' } });
writeFileSync(here('../05-signed.xml'), signer.getSignedXml());
