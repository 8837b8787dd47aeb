import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionExpiration } from '../../../src/credentials/sessionExpiration.js';

describe('sessionExpiration', () => {
  let dir: string;
  let files: { configFile: string; credentialsFile: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tc-expiry-'));
    files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
    await writeFile(
      files.credentialsFile,
      '[saved]\naws_session_token = T\naws_credential_expiration = 2026-02-25T06:03:31Z\n[bad]\naws_credential_expiration = soon\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const keys = { accessKeyId: 'A', secretAccessKey: 'S' };
  const session = { ...keys, sessionToken: 'T' };

  it("the credentials' own expiration first", async () => {
    const own = new Date('2030-01-01T00:00:00Z');
    expect(
      await sessionExpiration({ ...session, expiration: own }, { files, profile: 'saved', env: {} }),
    ).toBe(own);
  });

  it('for session keys, the time saved beside them, then AWS_CREDENTIAL_EXPIRATION', async () => {
    const env = { AWS_CREDENTIAL_EXPIRATION: '2027-01-01T00:00:00Z' };
    expect(await sessionExpiration(session, { files, profile: 'saved', env })).toEqual(
      new Date('2026-02-25T06:03:31Z'),
    );
    expect(await sessionExpiration(session, { files, profile: 'other', env })).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(await sessionExpiration(session, { files, profile: 'bad', env })).toBeUndefined();
    expect(await sessionExpiration(session, { files, profile: 'other', env: {} })).toBeUndefined();
  });

  it('long-lived keys never expire', async () => {
    const env = { AWS_CREDENTIAL_EXPIRATION: '2027-01-01T00:00:00Z' };
    expect(await sessionExpiration(keys, { files, profile: 'saved', env })).toBeUndefined();
  });
});
