/** The realistic files the multi-process tests start from, and the check that they survived. */
import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { parseIni } from '../../../src/config/ini.js';
import type { AwsFiles } from '../../../src/config/paths.js';
import { REALISTIC_CONFIG, REALISTIC_CREDENTIALS } from '../../unit/config/fixtures.js';

export async function seed(files: AwsFiles): Promise<void> {
  await writeFile(files.configFile, REALISTIC_CONFIG);
  await writeFile(files.credentialsFile, REALISTIC_CREDENTIALS);
}

/** Everything that was there is still there, byte for byte, and both files parse. */
export async function expectSeedIntact(files: AwsFiles): Promise<void> {
  const [config, credentials] = await Promise.all([
    readFile(files.configFile, 'utf8'),
    readFile(files.credentialsFile, 'utf8'),
  ]);
  expect(config.startsWith(REALISTIC_CONFIG)).toBe(true);
  expect(credentials.startsWith(REALISTIC_CREDENTIALS)).toBe(true);
  parseIni(config, files.configFile);
  parseIni(credentials, files.credentialsFile);
}
