import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsFiles, configSectionName } from '../../../src/config/paths.js';

describe('awsFiles', () => {
  const home = '/home/u';

  it('defaults to ~/.aws/config and ~/.aws/credentials', () => {
    expect(awsFiles({}, home)).toEqual({
      configFile: join(home, '.aws', 'config'),
      credentialsFile: join(home, '.aws', 'credentials'),
    });
  });

  it('honours AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE', () => {
    expect(awsFiles({ AWS_CONFIG_FILE: '/etc/c', AWS_SHARED_CREDENTIALS_FILE: 'rel/k' }, home)).toEqual({
      configFile: '/etc/c',
      credentialsFile: 'rel/k',
    });
  });

  it('expands a leading ~/ (and only a leading one)', () => {
    const files = awsFiles({ AWS_CONFIG_FILE: '~/x/config', AWS_SHARED_CREDENTIALS_FILE: '/a/~/b' }, home);
    expect(files).toEqual({ configFile: join(home, 'x', 'config'), credentialsFile: '/a/~/b' });
    expect(awsFiles({ AWS_CONFIG_FILE: '~' }, home).configFile).toBe(home);
    expect(awsFiles({ AWS_CONFIG_FILE: '~other/c' }, home).configFile).toBe('~other/c');
  });

  it('treats an empty variable as unset', () => {
    expect(awsFiles({ AWS_CONFIG_FILE: '' }, home).configFile).toBe(join(home, '.aws', 'config'));
  });

  it('reads process.env and the real home directory by default', () => {
    expect(awsFiles().configFile).toMatch(/config$/);
  });
});

describe('configSectionName', () => {
  it.each([
    ['default', 'default'],
    ['target-role-profile', 'profile target-role-profile'],
    ['Default', 'profile Default'],
    ['sts_user', 'profile sts_user'],
  ])('%s -> [%s]', (profile, section) => {
    expect(configSectionName(profile)).toBe(section);
  });
});
