/**
 * `tempcreds profiles` as a user runs it, over a pair of files with profiles of every kind and
 * broken chains: a golden JSON (the same files give the same bytes), a text listing, no secret
 * anywhere, and botocore (what the AWS CLI runs) agreeing on which profiles give credentials and how.
 */
import { execFile } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileListing } from '../../../src/credentials/profileList.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const GOLDEN = join(FIXTURES, 'profiles.golden.json');
const BOTOCORE = join(import.meta.dirname, '../config/botocoreRead.py');

let home: TempHome;
let credentialsText: string;

beforeAll(async () => {
  home = await makeTempHome();
  await copyFile(join(FIXTURES, 'profiles.config'), home.configFile);
  await copyFile(join(FIXTURES, 'profiles.credentials'), home.credentialsFile);
  credentialsText = await readFile(home.credentialsFile, 'utf8');
});
afterAll(() => home.cleanup());

/** Every value of the credentials file that is a secret (keys, tokens). */
const secrets = () =>
  [
    ...credentialsText.matchAll(
      /^aws_(?:secret_access_key|session_token|security_token|access_key_id) = (.+)$/gm,
    ),
  ].map((m) => m[1] as string);

describe('tempcreds profiles', () => {
  it('--output json is the golden listing, byte for byte, run after run', async () => {
    const first = await runCli(['profiles', '--output', 'json'], { env: home.env() });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(await readFile(GOLDEN, 'utf8'));
    const again = await runCli(['profiles'], { env: home.env() }); // not a terminal: json
    expect(again.stdout).toBe(first.stdout);
  });

  it('lists every profile of both files, of every kind, with the broken ones and why', async () => {
    const listed = JSON.parse(
      (await runCli(['profiles', '--output', 'json'], { env: home.env() })).stdout,
    ) as ProfileListing[];
    expect(listed.length).toBeGreaterThanOrEqual(20);
    expect(new Set(listed.map((p) => p.kind))).toEqual(
      new Set(['keys', 'role', 'sso', 'login', 'process', 'iot', 'session', 'none']),
    );
    const broken = Object.fromEntries(listed.filter((p) => p.broken).map((p) => [p.name, p.broken]));
    expect(broken).toEqual({
      'missing-source': 'source_profile "nobody" does not exist',
      'loop-a': 'source_profile loop: "loop-a" -> "loop-b" -> "loop-a"',
      'loop-b': 'source_profile loop: "loop-b" -> "loop-a" -> "loop-b"',
      'no-source': 'it has role_arn but neither source_profile nor credential_source',
      'sso-missing-session': 'sso_session "gone" has no [sso-session] section',
      'empty-source': 'source profile "settings-only" has no credentials',
      'bad-credential-source':
        'credential_source "Ec2Metadata" is not Environment, Ec2InstanceMetadata, EcsContainer',
      'via-broken': 'source_profile "nobody" does not exist',
      'half-key': 'aws_access_key_id without aws_secret_access_key',
    });
  });

  it('text: one aligned line per profile, the chain and the expiry readable, no secret', async () => {
    const { stdout, code } = await runCli(['profiles', '--output', 'text'], { env: home.env() });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+REGION\s+DETAILS$/);
    expect(lines).toHaveLength(27);
    expect(stdout).toMatch(
      /^chained\s+role\s+-\s+arn:aws-cn:iam::123456789012:role\/deploy {2}via dev -> sts_user \(keys\)$/m,
    );
    expect(stdout).toMatch(
      /^target-role-profile\s+session\s+cn-northwest-1\s+until 2030-06-01T12:00:00Z \(in \d+h \d+m\)$/m,
    );
    expect(stdout).toMatch(
      /^loop-a\s+role\s+.*BROKEN: source_profile loop: "loop-a" -> "loop-b" -> "loop-a"$/m,
    );
    for (const secret of secrets()) expect(stdout).not.toContain(secret);
  });

  it('never prints a secret in json either', async () => {
    const { stdout } = await runCli(['profiles', '--output', 'json'], { env: home.env() });
    expect(secrets().length).toBeGreaterThan(8);
    for (const secret of secrets()) expect(stdout).not.toContain(secret);
    expect(stdout).not.toContain('process-secret');
  });

  it('botocore gets credentials from exactly the profiles listed as whole, in the way their kind says', async () => {
    const listed = JSON.parse(
      (await runCli(['profiles', '--output', 'json'], { env: home.env() })).stdout,
    ) as ProfileListing[];
    const names = listed.map((p) => p.name);
    const env = {
      ...home.env(),
      AWS_EC2_METADATA_DISABLED: 'true',
      // For credential_source = Environment only: a named profile never reads these otherwise.
      AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENTKEY00',
      AWS_SECRET_ACCESS_KEY: 'environment-secret',
    };
    const { stdout } = await promisify(execFile)('python3', [BOTOCORE, 'method', ...names], { env });
    const botocore = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { method?: string | null; token?: boolean | null; error?: string });
    const METHODS: Record<string, string[]> = {
      keys: ['shared-credentials-file', 'config-file'],
      session: ['shared-credentials-file', 'config-file'],
      role: ['assume-role', 'assume-role-with-web-identity'],
      sso: ['sso'],
      process: ['custom-process'],
      // botocore sees an IoT profile's credential_process line (tempcreds, reading the certificate).
      iot: ['custom-process'],
      login: ['login'],
    };
    listed.forEach((p, i) => {
      const seen = botocore[i]!;
      const what = `${p.name}: ${JSON.stringify(seen)}`;
      if (p.broken) expect(seen.error ?? (seen.method === null ? 'none' : undefined), what).toBeDefined();
      else if (p.kind === 'none') expect(seen, what).toEqual({ method: null });
      else if (p.kind === 'login')
        expect(seen.method ?? seen.error, what).toBeTruthy(); // needs its token cache
      else expect(METHODS[p.kind], what).toContain(seen.method);
      if (p.kind === 'session' && !p.broken) expect(seen.token, what).toBe(true);
      if (p.kind === 'keys' && !p.broken) expect(seen.token, what).toBe(false);
    });
  });
});
