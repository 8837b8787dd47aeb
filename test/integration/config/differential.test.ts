/**
 * Differential test of the INI reader: a corpus of nasty files (written by hand, then generated
 * from a pool of tricky lines) is read by botocore (boto3's, and the AWS CLI v2's own copy) and by
 * tempcreds; sections, profiles and refusals must be the same. Then pairs of config and credentials
 * files are read as profiles: `readProfile` against a botocore session's `get_scoped_config()`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSection, parseIni, sectionNames } from '../../../src/config/ini.js';
import { configProfiles, listProfiles, readProfile } from '../../../src/config/profiles.js';
import { REALISTIC_CONFIG, REALISTIC_CREDENTIALS } from '../../unit/config/fixtures.js';
import { corpus } from './corpus.js';
import { BOTOCORES, botocoreProfiles, botocoreRaw, type RawRead } from './readers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-differential-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** tempcreds' reading in botocore's shape. */
function ours(text: string): RawRead {
  let doc;
  try {
    doc = parseIni(text);
  } catch {
    return { error: 'ConfigParseError' };
  }
  const sections = Object.fromEntries(sectionNames(doc).map((name) => [name, getSection(doc, name) ?? {}]));
  const profiles = Object.fromEntries(
    [...configProfiles(doc)].map(([profile, section]) => [profile, getSection(doc, section) ?? {}]),
  );
  return { sections, profiles };
}

describe('tempcreds reads INI files exactly as botocore does', () => {
  const files = corpus();
  for (const which of BOTOCORES) {
    it(`agrees with ${which === 'boto3' ? "boto3's botocore" : "the AWS CLI v2's botocore"} on ${files.length} files`, async () => {
      const paths = await Promise.all(
        files.map(async (text, i) => {
          const path = join(dir, `${which}-${i}.ini`);
          await writeFile(path, text);
          return path;
        }),
      );
      const theirs = await botocoreRaw(paths, which);
      expect(theirs).toHaveLength(files.length);
      const disagreements = files.flatMap((text, i) => {
        const mine = ours(text);
        return JSON.stringify(sorted(mine)) === JSON.stringify(sorted(theirs[i]))
          ? []
          : [{ text, ours: mine, botocore: theirs[i] }];
      });
      expect(disagreements).toEqual([]);
      // The corpus is nasty enough: both files botocore reads and files it refuses.
      expect(theirs.filter((read) => 'error' in read).length).toBeGreaterThan(50);
      expect(theirs.filter((read) => !('error' in read)).length).toBeGreaterThan(100);
    });
  }
});

/** Objects with their keys sorted, so that key order does not count. */
function sorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
  );
}

describe('tempcreds reads profiles exactly as a botocore session does', () => {
  const PAIRS: Array<[string, string]> = [
    [REALISTIC_CONFIG, REALISTIC_CREDENTIALS],
    ['[profile p]\nregion = c\ns3 =\n  a = 1\n', '[p]\nregion = k\ns3 =\n  b = 2\n'],
    ['[default]\nregion = d\n[profile default]\noutput = o\n', '[default]\naws_access_key_id = A\n'],
    [
      '[DEFAULT]\nregion = all\n[profile p]\n',
      '[DEFAULT]\noutput = text\n[p]\naws_access_key_id = A\n[ tp ]\nx = 1\n',
    ],
    ['[profile  spaced]\nregion = s\n[profile "q q"]\nregion = q\n', '[only-creds]\naws_access_key_id = B\n'],
  ];

  it.each(PAIRS.map((pair, i) => [i, ...pair]))('pair %i', async (i, config, credentials) => {
    const files = { configFile: join(dir, `config-${i}`), credentialsFile: join(dir, `credentials-${i}`) };
    await Promise.all([writeFile(files.configFile, config), writeFile(files.credentialsFile, credentials)]);
    const names = [...(await listProfiles(files)), 'tp', ' tp ', 'nope'];
    for (const which of BOTOCORES) {
      const theirs = await botocoreProfiles(files, names, { which });
      const mine = await Promise.all(names.map(async (name) => (await readProfile(files, name))?.settings));
      // botocore raises ProfileNotFound where tempcreds finds no profile.
      expect(mine, which).toEqual(
        theirs.map((read) => (read.error === 'ProfileNotFound' ? undefined : read.config)),
      );
    }
  });
});
