/**
 * The public key of a PKCS#10 certificate signing request. Node's crypto reads certificates but
 * not CSRs, and this is all iot setup needs of one (is DIR's certificate for this CSR's key?):
 * three DER elements in, so a few lines here rather than an ASN.1 library. Pure.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { usageError } from '../errors.js';

interface Element {
  tag: number;
  /** Where the element starts (its tag byte). */
  header: number;
  /** Its content. */
  start: number;
  end: number;
}

/** One DER tag-length-value at `offset`; definite lengths only, as DER has. */
function element(der: Buffer, offset: number, tag: number): Element {
  const found = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (found !== tag || length === undefined) throw new Error('unexpected element');
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 4) throw new Error('bad length');
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + (der[start + i] ?? 0);
    start += bytes;
  }
  if (start + length > der.length) throw new Error('truncated');
  return { tag, header: offset, start, end: start + length };
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;

/** The CSR's subject public key; a usage error naming `file` for anything that is not a PEM CSR. */
export function csrPublicKey(pem: string, file: string): KeyObject {
  const body =
    /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(
      pem,
    );
  try {
    if (!body) throw new Error('no PEM block');
    const der = Buffer.from((body[1] as string).replace(/\s+/g, ''), 'base64');
    const request = element(der, 0, SEQUENCE);
    const info = element(der, request.start, SEQUENCE);
    const version = element(der, info.start, INTEGER);
    const subject = element(der, version.end, SEQUENCE);
    const spki = element(der, subject.end, SEQUENCE);
    return createPublicKey({ key: der.subarray(spki.header, spki.end), format: 'der', type: 'spki' });
  } catch {
    throw usageError(
      `--csr ${file} is not a PEM certificate signing request.`,
      'Make one on the device: openssl req -new -newkey rsa:2048 -nodes -keyout private.pem.key -out device.csr -subj /CN=THING',
    );
  }
}

/** Whether two public keys are the same key. */
export function sameKey(a: KeyObject, b: KeyObject): boolean {
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  return spki(a).equals(spki(b));
}
