import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3, amazonRootCaBundle } from '../../../src/iot/amazonRootCa.js';

const fingerprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

describe('the embedded Amazon roots', () => {
  it('are Amazon Root CA 1 and 3, by their published SHA-256 fingerprints', () => {
    expect(fingerprint(AMAZON_ROOT_CA_1)).toBe(
      '8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e',
    );
    expect(fingerprint(AMAZON_ROOT_CA_3)).toBe(
      '18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4',
    );
    expect(new X509Certificate(AMAZON_ROOT_CA_1).subject).toBe('C=US\nO=Amazon\nCN=Amazon Root CA 1');
  });

  it('match the system trust store, where it has them', () => {
    for (const [pem, file] of [
      [AMAZON_ROOT_CA_1, '/etc/ssl/certs/Amazon_Root_CA_1.pem'],
      [AMAZON_ROOT_CA_3, '/etc/ssl/certs/Amazon_Root_CA_3.pem'],
    ] as const) {
      if (existsSync(file)) expect(fingerprint(pem)).toBe(fingerprint(readFileSync(file, 'utf8')));
    }
  });

  it('the bundle holds both, Root CA 1 first', () => {
    expect(amazonRootCaBundle()).toBe(AMAZON_ROOT_CA_1 + AMAZON_ROOT_CA_3);
  });
});
