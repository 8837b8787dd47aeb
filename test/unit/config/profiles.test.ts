import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsFiles } from '../../../src/config/paths.js';
import { listProfiles, readProfile } from '../../../src/config/profiles.js';
import { writeProfile } from '../../../src/config/write.js';
import { TempcredsError } from '../../../src/errors.js';
import { REALISTIC_CONFIG, REALISTIC_CREDENTIALS, changed, lines } from './fixtures.js';

let dir: string;
let files: AwsFiles;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-profiles-'));
  files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const given = (config: string, credentials: string) =>
  Promise.all([writeFile(files.configFile, config), writeFile(files.credentialsFile, credentials)]);

describe('readProfile', () => {
  it('merges [profile NAME] of the config file with [NAME] of the credentials file, credentials winning', async () => {
    await given(
      lines('\n', '[profile p]', 'region = from-config', 'output = json'),
      lines('\n', '[p]', 'region = from-credentials', 'aws_access_key_id = A'),
    );
    expect(await readProfile(files, 'p')).toEqual({
      name: 'p',
      settings: { region: 'from-credentials', output: 'json', aws_access_key_id: 'A' },
    });
  });

  it('ignores [NAME] without "profile" in the config file, as botocore does', async () => {
    await given(lines('\n', '[p]', 'region = ignored'), '');
    expect(await readProfile(files, 'p')).toBeUndefined();
  });

  it('ignores [profile NAME] in the credentials file (that would be a profile called "profile NAME")', async () => {
    await given('', lines('\n', '[profile p]', 'aws_access_key_id = A'));
    expect(await readProfile(files, 'p')).toBeUndefined();
    expect(await readProfile(files, 'profile p')).toMatchObject({ settings: { aws_access_key_id: 'A' } });
  });

  it('reads [default] or [profile default], whichever comes later, without merging them (as botocore)', async () => {
    await given(
      lines('\n', '[default]', 'region = r', '[profile default]', 'output = o'),
      lines('\n', '[default]', 'k = v'),
    );
    expect(await readProfile(files, 'default')).toEqual({
      name: 'default',
      settings: { output: 'o', k: 'v' },
    });
    await given(lines('\n', '[profile default]', 'output = o', '[default]', 'region = r'), '');
    expect(await readProfile(files, 'default')).toEqual({ name: 'default', settings: { region: 'r' } });
  });

  it('lets a later section for the same profile replace an earlier one: [profile x] then [profile  x]', async () => {
    await given(lines('\n', '[profile x]', 'region = a', 'output = json', '[profile  x]', 'region = b'), '');
    expect((await readProfile(files, 'x'))?.settings).toEqual({ region: 'b' });
  });

  it('reads the profile names botocore reads, and only those', async () => {
    await given(
      lines(
        '\n',
        '[ tp ]',
        'k = spaced',
        '[profile "a b"]',
        'k = quoted',
        '[profilefoo bar]',
        'k = glued',
        '[default] extra',
        'k = default',
        '[profile x y]',
        'k = three words',
        '[profile]',
        'k = one word',
        "[profile 'q']",
        'k = single',
        '[profile a\\ b2]',
        'k = escaped',
      ),
      '',
    );
    expect(await listProfiles(files)).toEqual(['a b', 'bar', 'default', 'q', 'a b2']);
    expect(await readProfile(files, 'tp')).toBeUndefined();
    expect((await readProfile(files, 'bar'))?.settings).toEqual({ k: 'glued' });
  });

  it('reads " tp " of the credentials file as the profile " tp ", not "tp"', async () => {
    await given('', lines('\n', '[ tp ]', 'aws_access_key_id = A'));
    expect(await readProfile(files, 'tp')).toBeUndefined();
    expect(await readProfile(files, ' tp ')).toMatchObject({ settings: { aws_access_key_id: 'A' } });
  });

  it('gives every profile the [DEFAULT] keys of each file', async () => {
    await given(
      lines('\n', '[DEFAULT]', 'region = d', '[profile p]', 'output = json'),
      lines('\n', '[DEFAULT]', 'aws_access_key_id = A', '[p]', 'aws_secret_access_key = S'),
    );
    expect((await readProfile(files, 'p'))?.settings).toEqual({
      region: 'd',
      output: 'json',
      aws_access_key_id: 'A',
      aws_secret_access_key: 'S',
    });
    expect(await listProfiles(files)).toEqual(['p']);
  });

  it("replaces a nested config setting as a whole by the credentials file's (botocore's dict.update)", async () => {
    await given(
      lines('\n', '[profile p]', 's3 =', '  a = 1', '  b = 2'),
      lines('\n', '[p]', 's3 =', '  a = 3'),
    );
    expect((await readProfile(files, 'p'))?.settings).toEqual({ 's3.a': '3' });
  });

  it('reads the realistic files', async () => {
    await given(REALISTIC_CONFIG, REALISTIC_CREDENTIALS);
    expect((await readProfile(files, 'sts_user'))?.settings).toMatchObject({
      region: 'cn-northwest-1',
      aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
      external_id: 'a=b=c',
    });
    // [ profile  spaced ] starts with a space: no profile to botocore.
    expect(await readProfile(files, 'spaced')).toBeUndefined();
    expect((await readProfile(files, 'default'))?.settings).toMatchObject({
      's3.max_concurrent_requests': '20',
      cli_timestamp_format: 'iso8601',
      aws_access_key_id: 'AKIADEFAULTEXAMPLE00',
    });
    expect(await readProfile(files, 'corp')).toBeUndefined();
  });

  it('accepts a quoted profile name, as botocore (shlex) does', async () => {
    await given(lines('\n', '[profile "my p"]', 'region = r', "[profile 'q']", 'region = s'), '');
    expect((await readProfile(files, 'my p'))?.settings).toEqual({ region: 'r' });
    expect((await readProfile(files, 'q'))?.settings).toEqual({ region: 's' });
  });

  it('treats missing files as empty', async () => {
    expect(await readProfile(files, 'default')).toBeUndefined();
    await writeFile(files.credentialsFile, '[default]\nk = v\n');
    expect(await readProfile(files, 'default')).toEqual({ name: 'default', settings: { k: 'v' } });
  });

  it('returns a profile whose section is empty', async () => {
    await given('[profile empty]\n', '');
    expect(await readProfile(files, 'empty')).toEqual({ name: 'empty', settings: {} });
  });

  it('lets a parse error through, with path and line', async () => {
    await given('[default]\nregion = x\n', '[default]\naws_access_key_id = A\nbroken\n');
    const err = await readProfile(files, 'default').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TempcredsError);
    expect((err as TempcredsError).message).toBe(
      `${files.credentialsFile} line 3 is not "key = value" or "[section]": "broken"`,
    );
  });

  it('refuses a file that is not UTF-8', async () => {
    await writeFile(files.configFile, Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x23, 0xe9, 0x0a]));
    const err = await readProfile(files, 'a').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'usage', message: `${files.configFile} is not UTF-8 text.` });
  });
});

describe('listProfiles', () => {
  it('lists config profiles in file order, then those only in the credentials file', async () => {
    await given(REALISTIC_CONFIG, REALISTIC_CREDENTIALS + '[only-creds]\n');
    expect(await listProfiles(files)).toEqual(['default', 'sts_user', 'tabbed', 'only-creds']);
  });

  it('is empty without files', async () => {
    expect(await listProfiles(files)).toEqual([]);
  });
});

describe('writeProfile', () => {
  it("puts the region in [profile target-role-profile], not [default] (the runbook's bug)", async () => {
    await given(REALISTIC_CONFIG, REALISTIC_CREDENTIALS);
    await writeProfile(files, 'target-role-profile', {
      credentials: { aws_access_key_id: 'ASIAX', aws_secret_access_key: 'S', aws_session_token: 'T' },
      config: { region: 'cn-northwest-1' },
    });
    const [config, credentials] = await Promise.all([
      readFile(files.configFile, 'utf8'),
      readFile(files.credentialsFile, 'utf8'),
    ]);
    expect(changed(REALISTIC_CONFIG, config)).toEqual({
      removed: [],
      added: ['\n', '[profile target-role-profile]\n', 'region = cn-northwest-1\n'],
    });
    expect(config.startsWith(REALISTIC_CONFIG)).toBe(true);
    expect(credentials.startsWith(REALISTIC_CREDENTIALS)).toBe(true);
    expect((await readProfile(files, 'target-role-profile'))?.settings).toEqual({
      region: 'cn-northwest-1',
      aws_access_key_id: 'ASIAX',
      aws_secret_access_key: 'S',
      aws_session_token: 'T',
    });
  });

  it('writes the default profile into [default] of both files', async () => {
    await writeProfile(files, 'default', {
      credentials: { aws_access_key_id: 'A' },
      config: { region: 'r' },
    });
    expect(await readFile(files.configFile, 'utf8')).toBe('[default]\nregion = r\n');
    expect(await readFile(files.credentialsFile, 'utf8')).toBe('[default]\naws_access_key_id = A\n');
  });

  it('does not create a file it has nothing to write to', async () => {
    await writeProfile(files, 'p', { config: { region: 'r' }, credentials: {} });
    await expect(readFile(files.credentialsFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes keys given as null', async () => {
    await given('', lines('\n', '[p]', 'aws_access_key_id = A', 'aws_session_token = T'));
    await writeProfile(files, 'p', { credentials: { aws_session_token: null } });
    expect(await readFile(files.credentialsFile, 'utf8')).toBe('[p]\naws_access_key_id = A\n');
  });

  it.each(['a b', 'a\nb', 'DEFAULT', 'café', 'a]b', ''])(
    'refuses the profile name %j, which the AWS CLI or the SDK would not read back',
    async (name) => {
      const err = (await writeProfile(files, name, { config: { region: 'r' } }).catch(
        (e: unknown) => e,
      )) as Error;
      expect(err).toMatchObject({ kind: 'usage' });
      // Shown escaped, on one line.
      expect(err.message).not.toContain('\n');
      expect(err.message).toContain(JSON.stringify(name));
    },
  );
});
