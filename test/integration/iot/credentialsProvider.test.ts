/**
 * The IoT credentials-provider client (src/iot) against the local provider: mutual TLS with a
 * certificate made by moto's CreateKeysAndCertificate, SNI and server verification, the role's
 * session as the answer, and each of AWS's refusals turned into its explanation and fix.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempcredsError } from '../../../src/errors.js';
import { certificateIdOf } from '../../../src/iot/deviceFiles.js';
import { fromIotCertificate } from '../../../src/iot/fromIotCertificate.js';
import type { IotProfile } from '../../../src/iot/profile.js';
import { ACCOUNT, startIotWorld, type Device, type IotWorld } from '../../support/iot/world.js';

const loopback: LookupFunction = (_host, options, callback) => {
  if (options.all)
    (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  else callback(null, '127.0.0.1', 4);
};

describe('the IoT credentials provider client (aws-cn)', () => {
  let world: IotWorld;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    world = await startIotWorld({ region: 'cn-northwest-1' });
    dir = await mkdtemp(join(tmpdir(), 'tempcreds-iot-'));
    env = await world.deviceEnv(dir);
  });
  afterAll(async () => {
    await world?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function deviceProfile(device: Device, extra: Partial<IotProfile> = {}): Promise<IotProfile> {
    const certificateFile = join(dir, `${device.thingName}.crt`);
    const privateKeyFile = join(dir, `${device.thingName}.key`);
    await writeFile(certificateFile, device.certPem, { mode: 0o644 });
    await writeFile(privateKeyFile, device.keyPem, { mode: 0o600 });
    return {
      endpoint: world.endpointHost,
      roleAlias: device.roleAlias,
      thingName: device.thingName,
      certificateFile,
      privateKeyFile,
      region: world.region,
      ...extra,
    };
  }

  const fetchWith = (iot: IotProfile, e = env, http = {}) =>
    fromIotCertificate({ profile: 'device', iot, env: e, http, sleep: async () => undefined })();

  it('gets a session of the alias role, named after the certificate', async () => {
    const device = await world.provision('dev-ok');
    const credentials = await fetchWith(await deviceProfile(device));
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    const sts = new STSClient({ region: world.region, endpoint: world.aws.endpoint, credentials });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    // Named by AWS's certificateId, the SHA-256 of the DER (moto's is of the PEM: motoVsAws.test.ts).
    expect(who.Arn).toBe(
      `arn:aws-cn:sts::${ACCOUNT}:assumed-role/dev-ok-role/${certificateIdOf(device.certPem)}`,
    );
    const seen = world.provider.log.at(-1)!;
    expect(seen).toMatchObject({ status: 200, thingName: 'dev-ok', roleAlias: 'dev-ok-alias' });
  });

  it('sends the endpoint name as SNI and checks the server certificate against it', async () => {
    const device = await world.provision('dev-sni');
    const port = new URL(world.provider.url).port;
    const { TEMPCREDS_IOT_CA_FILE } = env;
    const profile = await deviceProfile(device, { endpoint: `${world.endpointHost}:${port}` });
    await fetchWith(profile, { TEMPCREDS_IOT_CA_FILE }, { lookup: loopback });
    expect(world.provider.log.at(-1)).toMatchObject({ status: 200, servername: world.endpointHost });

    const impostor = `x${world.endpointHost}:${port}`;
    const err = await fetchWith(
      { ...profile, endpoint: impostor },
      { TEMPCREDS_IOT_CA_FILE },
      { lookup: loopback },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(TempcredsError);
    expect(err.message).toMatch(/is not trusted \(ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('trusts only the CA bundle: the embedded Amazon roots do not vouch for a test server', async () => {
    const device = await world.provision('dev-ca');
    const err = await fetchWith(await deviceProfile(device), {
      TEMPCREDS_IOT_ENDPOINT_URL: env.TEMPCREDS_IOT_ENDPOINT_URL,
    }).catch((e) => e);
    expect(err.message).toMatch(
      /is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
    expect(err.message).toContain('the embedded Amazon roots');
  });

  it('refuses a private key that group or others can read, before any request, with the chmod to run', async () => {
    const device = await world.provision('dev-mode');
    const profile = await deviceProfile(device);
    await chmod(profile.privateKeyFile, 0o640);
    const before = world.provider.log.length;
    const err = await fetchWith(profile).catch((e) => e);
    expect(err).toMatchObject({ kind: 'usage', fix: `chmod 600 ${profile.privateKeyFile}` });
    expect(err.message).toContain('is open to group (mode 0640)');
    expect(world.provider.log.length).toBe(before);
  });
});
