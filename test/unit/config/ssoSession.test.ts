import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSsoSession, ssoSessionName } from '../../../src/config/ssoSession.js';

describe('[sso-session NAME] sections, as botocore finds them', () => {
  it.each([
    ['sso-session corp', 'corp'],
    ['sso-session  corp', 'corp'],
    ['sso-session "a b"', 'a b'],
    ["sso-session 'x'", 'x'],
    ['sso-sessioncorp x', 'x'],
    ['sso-session', undefined],
    ['sso-session a b', undefined],
    ['sso-session "open', undefined],
    ['profile corp', undefined],
  ])('%s -> %s', (section, name) => {
    expect(ssoSessionName(section)).toBe(name);
  });

  it('reads the later of two sections naming one session, with [DEFAULT] keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tc-sso-'));
    const configFile = join(dir, 'config');
    await writeFile(
      configFile,
      '[DEFAULT]\nsso_registration_scopes = sso:account:access\n[sso-session corp]\nsso_region = eu-west-1\n' +
        '[sso-session  "corp"]\nsso_start_url = https://x/start\nsso_region = eu-west-2\n',
    );
    const files = { configFile, credentialsFile: join(dir, 'credentials') };
    expect(await readSsoSession(files, 'corp')).toEqual({
      sso_registration_scopes: 'sso:account:access',
      sso_start_url: 'https://x/start',
      sso_region: 'eu-west-2',
    });
    expect(await readSsoSession(files, 'other')).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });
});
