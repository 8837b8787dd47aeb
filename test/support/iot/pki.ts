/**
 * Real certificates for the IoT tests, made with openssl: a test CA (standing in for Amazon's
 * roots on the credentials endpoint, and for AWS IoT's own CA when it signs a device's CSR),
 * server certificates for host names and IP addresses, device keys and CSRs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  keyPem: string;
  certPem: string;
}

function openssl(args: string[], cwd: string, input?: string): string {
  return execFileSync('openssl', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

function inTemp<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tempcreds-pki-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed CA (EC P-256), valid for two days. */
export function makeCa(commonName: string): KeyPair {
  return inTemp((dir) => {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    return {
      keyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
      certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    };
  });
}

/** Signs a CSR with the CA; `extensions` are openssl extension lines (subjectAltName, ...). */
export function signCsr(
  ca: KeyPair,
  csrPem: string,
  options: { days?: number; extensions?: string[] } = {},
): string {
  return inTemp((dir) => {
    writeFileSync(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'req.csr'), csrPem);
    writeFileSync(join(dir, 'ext.cnf'), (options.extensions ?? []).join('\n') + '\n');
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'req.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'out.pem',
        '-days',
        String(options.days ?? 2),
        '-sha256',
        '-extfile',
        'ext.cnf',
      ],
      dir,
    );
    return readFileSync(join(dir, 'out.pem'), 'utf8');
  });
}

/** A new private key (RSA 2048, as AWS IoT's own) and a CSR for it. */
export function makeKeyAndCsr(commonName: string): { keyPem: string; csrPem: string } {
  return inTemp((dir) => {
    openssl(
      [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'r.csr',
        '-subj',
        `/CN=${commonName}`,
      ],
      dir,
    );
    return {
      keyPem: readFileSync(join(dir, 'k.pem'), 'utf8'),
      csrPem: readFileSync(join(dir, 'r.csr'), 'utf8'),
    };
  });
}

/** A server certificate from the CA for host names and IP addresses. */
export function makeServerCertificate(ca: KeyPair, names: { dns?: string[]; ip?: string[] }): KeyPair {
  const { keyPem, csrPem } = makeKeyAndCsr((names.dns ?? names.ip ?? ['server'])[0] as string);
  const san = [...(names.dns ?? []).map((n) => `DNS:${n}`), ...(names.ip ?? []).map((n) => `IP:${n}`)].join(
    ',',
  );
  const certPem = signCsr(ca, csrPem, {
    extensions: [`subjectAltName=${san}`, 'extendedKeyUsage=serverAuth', 'basicConstraints=CA:FALSE'],
  });
  return { keyPem, certPem };
}

/** A device key and a certificate the CA signed for it (a device certificate AWS IoT never saw). */
export function makeDeviceCertificate(ca: KeyPair, commonName: string): KeyPair {
  const { keyPem, csrPem } = makeKeyAndCsr(commonName);
  return {
    keyPem,
    certPem: signCsr(ca, csrPem, {
      extensions: ['extendedKeyUsage=clientAuth', 'basicConstraints=CA:FALSE'],
    }),
  };
}
