import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedAwsFiles, withoutCredentials } from '../../../src/exec/isolatedAwsFiles.js';

describe('withoutCredentials', () => {
  it.each([
    [
      'keys, in every section',
      '[default]\naws_access_key_id = A\naws_secret_access_key = S\nregion = eu-west-1\n[profile x]\naws_session_token=T\noutput = json\n',
      '[default]\nregion = eu-west-1\n[profile x]\noutput = json\n',
    ],
    [
      'keys spelled as botocore also reads them',
      '[default]\nAWS_ACCESS_KEY_ID = A\n  Aws_Secret_Access_Key:S\n\taws_security_token =T\nregion = eu-west-1\n',
      '[default]\nregion = eu-west-1\n',
    ],
    [
      'what chooses a source',
      '[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p\ncredential_source = Environment\ncredential_process = /bin/x --a\nweb_identity_token_file = /t\nsso_session = s\nsso_start_url = u\nsso_account_id = 1\nsso_role_name = r\nsso_region = eu-west-1\nlogin_session = l\nmfa_serial = m\nexternal_id = e\nrole_session_name = n\nduration_seconds = 900\nregion = cn-north-1\n',
      '[default]\nregion = cn-north-1\n',
    ],
    [
      'a dropped key with continuation lines',
      '[default]\ncredential_process = /bin/x\n  --more\n  --args\nregion = eu-west-1\n',
      '[default]\nregion = eu-west-1\n',
    ],
    [
      'nested settings, comments, blank lines and CRLF kept byte for byte',
      '# top\r\n[default]\r\n; c\r\nregion = eu-west-1\r\n\r\ns3 =\r\n  max_concurrent_requests = 7\r\n  addressing_style = path\r\naws_access_key_id = A\r\n[sso-session s]\r\nsso_region_x = 1\r\n',
      '# top\r\n[default]\r\n; c\r\nregion = eu-west-1\r\n\r\ns3 =\r\n  max_concurrent_requests = 7\r\n  addressing_style = path\r\n[sso-session s]\r\nsso_region_x = 1\r\n',
    ],
    [
      'a file without a final newline',
      '[default]\nregion = x\naws_access_key_id = A',
      '[default]\nregion = x\n',
    ],
    ['an empty file', '', ''],
  ])('removes %s', (_what, input, expected) => {
    expect(withoutCredentials(input)).toBe(expected);
  });

  it('keeps keys that only contain a credential key name', () => {
    const text = '[default]\nmy_role_arn_note = x\nregion = a\n';
    expect(withoutCredentials(text)).toBe(text);
  });
});

describe('isolatedAwsFiles', () => {
  it('makes a private folder with an empty credentials file, an empty boto config and the config without keys', async () => {
    const base = await mkdtemp(join(tmpdir(), 'tc-iso-'));
    const config = join(base, 'config');
    await writeFile(config, '[default]\naws_access_key_id = A\nregion = eu-west-1\n');
    const files = await isolatedAwsFiles(config, base);
    try {
      expect((await stat(files.dir)).mode & 0o777).toBe(0o700);
      for (const path of Object.values(files.env)) {
        expect(path.startsWith(files.dir)).toBe(true);
        expect((await stat(path)).mode & 0o777).toBe(0o600);
      }
      expect(await readFile(files.env.AWS_CONFIG_FILE!, 'utf8')).toBe('[default]\nregion = eu-west-1\n');
      expect(await readFile(files.env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8')).toBe('');
      expect(await readFile(files.env.BOTO_CONFIG!, 'utf8')).toBe('');
      const token = await files.addFile('token', 'abc');
      expect((await stat(token)).mode & 0o777).toBe(0o600);
    } finally {
      await files.remove();
    }
    await expect(stat(files.dir)).rejects.toThrow(/ENOENT/);
    // A missing config file is an empty one.
    const none = await isolatedAwsFiles(join(base, 'missing'), base);
    expect(await readFile(none.env.AWS_CONFIG_FILE!, 'utf8')).toBe('');
    await none.remove();
    await rm(base, { recursive: true, force: true });
  });
});
