import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFile, minTtlSeconds, readCache } from '../../../src/credentials/processCache.cjs';
import { parseCredentialProcessArgs, processCacheKey } from '../../../src/cli/credentialProcessArgs.cjs';

const IDENTITY = JSON.stringify({ roleArn: 'arn:aws:iam::1:role/a', sourceProfile: 'default' });
const entry = (expiration: string, identity: unknown = JSON.parse(IDENTITY)) =>
  JSON.stringify({
    Version: 1,
    AccessKeyId: 'A',
    SecretAccessKey: 'S',
    SessionToken: 'T',
    Expiration: expiration,
    Identity: identity,
  });

describe('credential-process cache', () => {
  it('keys sessions by every input and by the environment that changes the answer', () => {
    const env = { TEMPCREDS_CACHE_DIR: '/c' };
    const a = cacheFile({ roleArn: 'arn:aws:iam::1:role/a' }, env);
    expect(a.startsWith('/c/')).toBe(true);
    expect(cacheFile({ roleArn: 'arn:aws:iam::1:role/a' }, env)).toBe(a);
    expect(cacheFile({ roleArn: 'arn:aws:iam::1:role/a', sourceProfile: 'default' }, env)).toBe(a);
    for (const other of [
      cacheFile({ roleArn: 'arn:aws:iam::1:role/b' }, env),
      cacheFile({ roleArn: 'arn:aws:iam::1:role/a', duration: '1h' }, env),
      cacheFile({ roleArn: 'arn:aws:iam::1:role/a', sourceProfile: 'x' }, env),
      cacheFile({ roleArn: 'arn:aws:iam::1:role/a' }, { ...env, AWS_PROFILE: 'x' }),
      cacheFile({ roleArn: 'arn:aws:iam::1:role/a' }, { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }),
      cacheFile({ roleArn: 'arn:aws:iam::1:role/a' }, { ...env, AWS_REGION: 'cn-north-1' }),
    ]) {
      expect(other).not.toBe(a);
    }
  });

  it('tells hit, stale, missing and corrupt apart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tc-cache-'));
    const now = Date.parse('2026-11-28T12:00:00Z');
    const file = join(dir, 'x.json');
    const at = { path: file, identity: IDENTITY };
    expect((await readCache(at, 300, now)).state).toBe('missing');
    await writeFile(file, entry('2026-11-28T12:10:00Z'), { mode: 0o600 });
    const hit = await readCache(at, 300, now);
    expect(hit.state).toBe('hit');
    expect(hit.state === 'hit' && JSON.parse(hit.text).AccessKeyId).toBe('A');
    expect((await readCache(at, 601, now)).state).toBe('stale');
    await writeFile(file, entry('2026-11-28T12:04:00Z'));
    expect((await readCache(at, 300, now)).state).toBe('stale');
    for (const broken of ['', '{', 'null', '{"Version":1}', entry('not a date')]) {
      await writeFile(file, broken);
      expect((await readCache(at, 300, now)).state, broken).toBe('corrupt');
    }
  });

  it('reads TEMPCREDS_MIN_TTL', () => {
    expect(minTtlSeconds({})).toBe(300);
    expect(minTtlSeconds({ TEMPCREDS_MIN_TTL: '60' })).toBe(60);
    expect(minTtlSeconds({ TEMPCREDS_MIN_TTL: 'x' })).toBe(300);
  });

  it('fast-path argument parsing agrees with the full CLI or steps aside', () => {
    expect(
      parseCredentialProcessArgs([
        '--role-arn',
        'arn:aws:iam::1:role/a',
        '--source-profile',
        'p',
        '--duration',
        '1h',
      ]),
    ).toEqual({
      roleArn: 'arn:aws:iam::1:role/a',
      sourceProfile: 'p',
      duration: '1h',
      sessionName: undefined,
      externalId: undefined,
      region: undefined,
      endpointUrl: undefined,
    });
    expect(
      parseCredentialProcessArgs(['--profile', 'p', '--role-arn=arn:aws:iam::1:role/a'])?.sourceProfile,
    ).toBe('p');
    expect(parseCredentialProcessArgs(['--debug', '--role-arn', 'x'])).toBeUndefined();
    expect(parseCredentialProcessArgs([])).toBeUndefined();
  });

  it('session options are part of the key: the fast path reads them (and the policy file) as the full CLI does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tc-policy-'));
    const policy = '{ "Version": "2012-10-17", "Statement": [] }\n';
    await writeFile(join(dir, 'p.json'), policy);
    const role = 'arn:aws:iam::1:role/a';
    const args = ['--role-arn', role, '--tag', 'A=1', '--tag', 'B=2', '--transitive-tag-key', 'A'];
    const key = parseCredentialProcessArgs(
      [
        ...args,
        '--source-identity',
        'alice',
        '--policy',
        'file://p.json',
        '--policy-arn',
        'arn:aws:iam::aws:policy/x',
      ],
      dir,
    );
    expect(key).toEqual(
      processCacheKey({
        roleArn: role,
        tag: ['A=1', 'B=2'],
        transitiveTagKey: ['A'],
        sourceIdentity: 'alice',
        policy,
        policyArn: ['arn:aws:iam::aws:policy/x'],
      }),
    );
    const env = { TEMPCREDS_CACHE_DIR: '/c' };
    const plain = cacheFile({ roleArn: role }, env);
    // Without session options the key (so every existing cache file) is what it was.
    expect(cacheFile(processCacheKey({ roleArn: role, tag: [], policyArn: [] }), env)).toBe(plain);
    const files = new Set([plain, cacheFile(key!, env)]);
    for (const other of [
      ['--tag', 'A=2'],
      ['--source-identity', 'bob'],
      ['--policy', '{}'],
      ['--policy-arn', 'arn:aws:iam::aws:policy/y'],
    ]) {
      files.add(cacheFile(parseCredentialProcessArgs(['--role-arn', role, ...other], dir)!, env));
    }
    expect(files.size).toBe(6);
    // A policy file it cannot read: the full CLI says why.
    expect(
      parseCredentialProcessArgs(['--role-arn', role, '--policy', 'file://missing.json'], dir),
    ).toBeUndefined();
  });
});

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64-bit test vectors', async () => {
    const { fnv1a64 } = await import('../../../src/credentials/processCache.cjs');
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });
});
