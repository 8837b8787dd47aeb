/**
 * botocore's `tests/unit/test_configloader.py`, on botocore's own fixtures (./botocore, Apache-2.0,
 * see its README), against tempcreds' reader. Each test names the botocore test it comes from.
 * Not carried over: the tests of bytes paths and file system encodings (Python-only), and
 * `multi_file_load_config` (merging several config files, which neither the AWS CLI's profile
 * lookup nor tempcreds does).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getSection,
  parseIni,
  sectionKeys,
  sectionNames,
  type IniDocument,
} from '../../../src/config/ini.js';
import { configProfiles } from '../../../src/config/profiles.js';
import { readIniText } from '../../../src/config/read.js';
import { TempcredsError } from '../../../src/errors.js';

const FIXTURES = join(import.meta.dirname, 'botocore');
const path = (name: string) => join(FIXTURES, name);
const load = (name: string): IniDocument => parseIni(readFileSync(path(name), 'utf8'), path(name));

/** botocore's `load_config(...)['profiles']`: each profile's settings, nested ones flattened. */
function profiles(doc: IniDocument): Record<string, Record<string, string>> {
  return Object.fromEntries(
    [...configProfiles(doc)].map(([profile, section]) => [profile, getSection(doc, section) ?? {}]),
  );
}

describe("botocore's test_configloader.py on botocore's fixtures", () => {
  it('test_config_parse_error: a setting before any section header is refused', () => {
    expect(() => load('aws_config_bad')).toThrow(TempcredsError);
    expect(() => load('aws_config_bad')).toThrow(/line 1 is a setting before the first "\[section\]" header/);
  });

  it('test_config_parse_error_bad_unicode: bytes that are not UTF-8 are refused', async () => {
    await expect(readIniText(path('aws_config_badbytes'))).rejects.toMatchObject({ kind: 'usage' });
  });

  it('test_config: section names keep their quotes', () => {
    expect(sectionNames(load('aws_config'))).toEqual(['default', 'profile "personal"']);
  });

  it('test_profile_map_conversion: [profile "personal"] is profile personal', () => {
    expect(Object.keys(profiles(load('aws_config'))).sort()).toEqual(['default', 'personal']);
    expect(profiles(load('aws_config')).personal).toEqual({
      aws_access_key_id: 'fie',
      aws_secret_access_key: 'baz',
      aws_security_token: 'fiebaz',
    });
  });

  it('test_bad_profiles_are_ignored: three words or an unclosed quote is no profile', () => {
    const found = profiles(load('aws_bad_profile'));
    expect(Object.keys(found).sort()).toEqual(['default', 'my profile', 'personal1']);
    expect(found.personal1).toEqual({
      aws_access_key_id: 'access_personal1',
      aws_secret_access_key: 'key_personal1',
    });
  });

  it('test_nested_hierarchy_parsing: indented blocks are nested settings', () => {
    expect(profiles(load('aws_config_nested')).default).toEqual({
      aws_access_key_id: 'foo',
      aws_secret_access_key: 'bar',
      's3.signature_version': 's3v4',
      's3.addressing_style': 'path',
      'cloudwatch.signature_version': 'v4',
      region: 'us-west-2',
    });
  });

  it('test_nested_hierarchy_with_no_subsection_parsing: the raw value starts with a newline', () => {
    const keys = sectionKeys(load('aws_config_nested'), 'default');
    expect(keys?.get('cloudwatch')?.value).toBe('\nsignature_version = v4');
    expect(keys?.get('s3')?.value).toBe('\nsignature_version = s3v4\naddressing_style = path');
    expect(keys?.get('region')).toMatchObject({ value: 'us-west-2', nested: false });
  });

  it('test_nested_bad_config: a nested line without "=" is refused, with its line', () => {
    expect(() => load('aws_config_nested_bad')).toThrow(
      /line 5 is inside the nested "s3" settings but is not "key = value"/,
    );
  });

  it('test_sso_session_config: [sso-session sso] is a section, not a profile', () => {
    const doc = load('aws_sso_session_config');
    expect(profiles(doc)).toEqual({ default: { sso_session: 'sso' } });
    expect(getSection(doc, 'sso-session sso')).toEqual({
      sso_start_url: 'https://example.com',
      sso_region: 'us-east-1',
    });
  });

  it('test_services_config: nested endpoint_url settings of a services section', () => {
    const doc = load('aws_services_config');
    expect(profiles(doc)).toEqual({
      default: { endpoint_url: 'https://localhost:1234/', services: 'my-services' },
    });
    expect(getSection(doc, 'services my-services')).toEqual({
      's3.endpoint_url': 'https://localhost:5678/',
      'dynamodb.endpoint_url': 'https://localhost:8888/',
    });
  });

  it('the other fixtures read as botocore reads them', () => {
    expect(profiles(load('aws_config_nocreds'))).toEqual({ default: { region: 'us-west-2' } });
    expect(profiles(load('aws_config_other')).default).toEqual({
      aws_access_key_id: 'other_foo',
      aws_secret_access_key: 'other_bar',
    });
    expect(profiles(load('aws_third_config')).third).toMatchObject({ aws_security_token: 'third_fiebaz' });
    expect(profiles(load('foo_config'))).toEqual({
      default: { aws_access_key_id: 'foo', aws_secret_access_key: 'bar', foo_region: 'us-west-1' },
      foo: { aws_access_key_id: 'fie', aws_secret_access_key: 'baz' },
    });
    expect(sectionNames(load('boto_config'))).toEqual(['Credentials']);
    expect(getSection(load('boto_config_empty'), 'Credentials')).toEqual({});
    // An old boto credentials file has no section at all: botocore cannot read it as INI either.
    expect(() => load('aws_credentials')).toThrow(/line 1 is a setting before the first/);
  });
});
