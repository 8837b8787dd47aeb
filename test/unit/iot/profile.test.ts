import { describe, expect, it } from 'vitest';
import { TempcredsError } from '../../../src/errors.js';
import {
  iotProfileSettings,
  isIotProfile,
  parseEndpoint,
  parseIotProfile,
  regionOfEndpoint,
  validateRoleAlias,
  validateThingName,
} from '../../../src/iot/profile.js';

const CN = 'a1b2c3d4e5f6g7.credentials.iot.cn-northwest-1.amazonaws.com.cn';
const settings = {
  tempcreds_iot_endpoint: CN,
  tempcreds_iot_role_alias: 'collector-alias',
  tempcreds_iot_thing_name: 'collector-0001',
  tempcreds_iot_cert: '/etc/tempcreds/device.pem.crt',
  tempcreds_iot_key: '~/device.pem.key',
  tempcreds_iot_ca: 'ca/AmazonRootCA.pem',
};

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TempcredsError);
    expect((err as TempcredsError).kind).toBe('usage');
    return err as TempcredsError;
  }
  throw new Error('expected a usage error');
};

describe('parseIotProfile', () => {
  it('reads every setting; ~ is the home, a relative path is relative to the config file', () => {
    expect(parseIotProfile('dev', settings, '/home/u/.aws/config', '/home/u')).toEqual({
      endpoint: CN,
      roleAlias: 'collector-alias',
      thingName: 'collector-0001',
      certificateFile: '/etc/tempcreds/device.pem.crt',
      privateKeyFile: '/home/u/device.pem.key',
      caFile: '/home/u/.aws/ca/AmazonRootCA.pem',
      region: 'cn-northwest-1',
    });
  });

  it('takes the profile region over the endpoint’s, and leaves thing and CA optional', () => {
    const { tempcreds_iot_thing_name: _t, tempcreds_iot_ca: _c, ...rest } = settings;
    const parsed = parseIotProfile('dev', { ...rest, region: 'cn-north-1' }, '/c', '/h');
    expect(parsed).toMatchObject({ region: 'cn-north-1', thingName: undefined, caFile: undefined });
  });

  it('names every missing setting and the command that writes them', () => {
    const err = usage(() => parseIotProfile('dev', { tempcreds_iot_thing_name: 'x' }, '/c', '/h'));
    expect(err.message).toBe(
      'IoT profile "dev" lacks tempcreds_iot_endpoint, tempcreds_iot_role_alias, tempcreds_iot_cert, tempcreds_iot_key.',
    );
    expect(err.fix).toContain('tempcreds iot setup --thing THING --role ROLE --out DIR --profile-name dev');
  });

  it('refuses a malformed endpoint, alias or thing name, naming the setting', () => {
    expect(
      usage(() => parseIotProfile('dev', { ...settings, tempcreds_iot_endpoint: 'http://x y' }, '/c'))
        .message,
    ).toContain('tempcreds_iot_endpoint of profile dev');
    expect(
      usage(() => parseIotProfile('dev', { ...settings, tempcreds_iot_role_alias: 'a/b' }, '/c')).message,
    ).toContain('tempcreds_iot_role_alias of profile dev');
    expect(
      usage(() => parseIotProfile('dev', { ...settings, tempcreds_iot_thing_name: 'a b' }, '/c')).message,
    ).toContain('tempcreds_iot_thing_name of profile dev');
  });
});

describe('endpoints', () => {
  it.each([
    [CN, CN],
    [`https://${CN}/`, CN],
    ['HOST.example.com:8443', 'host.example.com:8443'],
  ])('parseEndpoint(%s) = %s', (text, expected) => expect(parseEndpoint(text, 'x')).toBe(expected));

  it.each(['', 'http://', 'localhost', 'a..b', 'a.b:99999999', 'ftp://a.b', 'a.b/path'])(
    'refuses %j',
    (text) => {
      usage(() => parseEndpoint(text, 'x'));
    },
  );

  it.each([
    [CN, 'cn-northwest-1'],
    ['abc.credentials.iot.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['abc.credentials.iot.us-gov-west-1.amazonaws.com:443', 'us-gov-west-1'],
    ['abc-ats.iot.eu-west-1.amazonaws.com', undefined],
    ['example.com', undefined],
  ])('regionOfEndpoint(%s) = %s', (endpoint, region) => expect(regionOfEndpoint(endpoint)).toBe(region));
});

describe('names', () => {
  it('role aliases: 1-128 of [\\w=,@-]', () => {
    expect(validateRoleAlias('a=b,c@d-e_f')).toBe('a=b,c@d-e_f');
    for (const bad of ['', 'a.b', 'a b', 'x'.repeat(129)]) usage(() => validateRoleAlias(bad));
  });
  it('thing names: 1-128 of [a-zA-Z0-9:_-]', () => {
    expect(validateThingName('Collector:0001_a-b')).toBe('Collector:0001_a-b');
    for (const bad of ['', 'a.b', 'a/b', 'x'.repeat(129)]) usage(() => validateThingName(bad));
  });
});

describe('isIotProfile and the written profile', () => {
  it('any tempcreds_iot_ key makes an IoT profile', () => {
    expect(isIotProfile({ tempcreds_iot_cert: 'x' })).toBe(true);
    expect(isIotProfile({ role_arn: 'x', credential_process: 'y' })).toBe(false);
  });

  it('writes the IoT settings, credential_process by absolute paths, and removes other kinds', () => {
    const written = iotProfileSettings(
      'dev 1'.replace(' ', '-'),
      {
        endpoint: CN,
        roleAlias: 'collector-alias',
        thingName: 'collector-0001',
        certificateFile: '/srv/dev/certificate.pem.crt',
        privateKeyFile: '/srv/dev/private.pem.key',
        caFile: "/srv/o'brien/AmazonRootCA.pem",
        region: 'cn-northwest-1',
      },
      ['/usr/bin/node', '/opt/tempcreds/bin/tempcreds.cjs'],
    );
    expect(written).toMatchObject({
      tempcreds_iot_endpoint: CN,
      tempcreds_iot_ca: "/srv/o'brien/AmazonRootCA.pem",
      region: 'cn-northwest-1',
      credential_process: '/usr/bin/node /opt/tempcreds/bin/tempcreds.cjs credential-process --profile dev-1',
      role_arn: null,
      source_profile: null,
      credential_source: null,
    });
  });
});
