/** The device files, read as ssh reads keys: ownership and modes, key/certificate pairing, expiry. */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIdOf, readDeviceFiles } from '../../../src/iot/deviceFiles.js';
import type { IotProfile } from '../../../src/iot/profile.js';
import { makeCa, makeDeviceCertificate, type KeyPair } from '../../support/iot/pki.js';

describe('readDeviceFiles', () => {
  let dir: string;
  let device: KeyPair;
  let other: KeyPair;
  let iot: IotProfile;
  const options = { profile: 'dev', env: {} };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tempcreds-devfiles-'));
    const ca = makeCa('unit CA');
    device = makeDeviceCertificate(ca, 'dev');
    other = makeDeviceCertificate(ca, 'other');
    iot = {
      endpoint: 'x.credentials.iot.cn-northwest-1.amazonaws.com.cn',
      roleAlias: 'a',
      certificateFile: join(dir, 'dev.crt'),
      privateKeyFile: join(dir, 'dev.key'),
      caFile: join(dir, 'ca.pem'),
    };
    await writeFile(iot.caFile!, ca.certPem, { mode: 0o644 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const put = async (cert: string, key: string, keyMode = 0o600, certMode = 0o644) => {
    await writeFile(iot.certificateFile, cert);
    await chmod(iot.certificateFile, certMode);
    await writeFile(iot.privateKeyFile, key);
    await chmod(iot.privateKeyFile, keyMode);
  };
  const refusal = (o = options) =>
    readDeviceFiles(iot, o).then(
      () => undefined,
      (e) => e,
    );

  it('reads a good pair and names the certificate as AWS IoT does (SHA-256 of the DER)', async () => {
    await put(device.certPem, device.keyPem);
    const files = await readDeviceFiles(iot, options);
    expect(files.certificateId).toBe(certificateIdOf(device.certPem));
    expect(files.certificateId).toBe(
      execFileSync('sh', ['-c', `openssl x509 -in ${iot.certificateFile} -outform DER | sha256sum`])
        .toString()
        .split(' ')[0],
    );
    expect(files.caSource).toBe(iot.caFile);
  });

  it.each([
    [0o640, 'group (mode 0640)'],
    [0o604, 'others (mode 0604)'],
    [0o644, 'group and others (mode 0644)'],
  ])('refuses a key of mode %o: open to %s, fix chmod 600', async (mode, words) => {
    await put(device.certPem, device.keyPem, mode);
    const err = await refusal();
    expect(err.message).toContain(`is open to ${words}`);
    expect(err).toMatchObject({ kind: 'usage', fix: `chmod 600 ${iot.privateKeyFile}` });
  });

  it('refuses a key owned by another user, and a certificate or CA others can write', async () => {
    await put(device.certPem, device.keyPem);
    // Root may own the key (as ssh allows): as root, give the file away; else claim another uid.
    const me = process.getuid!();
    if (me === 0) await chown(iot.privateKeyFile, 4242, 4242);
    const as = me === 0 ? 0 : me + 1;
    const owner = me === 0 ? 4242 : me;
    const err = await refusal({ ...options, uid: as } as never);
    expect(err.message).toContain(`belongs to uid ${owner}, not to you (uid ${as})`);
    expect(err.fix).toBe(
      `Make it yours: sudo chown ${as} ${iot.privateKeyFile} && chmod 600 ${iot.privateKeyFile}`,
    );
    if (me === 0) await chown(iot.privateKeyFile, 0, 0);
    await put(device.certPem, device.keyPem, 0o600, 0o666);
    expect((await refusal()).fix).toBe(`chmod go-w ${iot.certificateFile}`);
    await put(device.certPem, device.keyPem);
    await chmod(iot.caFile!, 0o664);
    expect((await refusal()).fix).toBe(`chmod go-w ${iot.caFile}`);
    await chmod(iot.caFile!, 0o644);
  });

  it('refuses a key that is not the certificate’s, and files that are not PEM', async () => {
    await put(device.certPem, other.keyPem);
    expect((await refusal()).message).toContain('is not the key of certificate');
    await put('not a certificate', device.keyPem);
    expect((await refusal()).message).toContain('is not a PEM certificate');
    await put(device.certPem, 'not a key');
    expect((await refusal()).message).toContain('is not a PEM private key');
  });

  it('refuses an expired certificate with the command that issues a new one', async () => {
    await put(device.certPem, device.keyPem);
    const err = await refusal({ ...options, now: () => new Date(Date.now() + 30 * 86_400_000) } as never);
    expect(err.message).toMatch(/expired on .*: AWS IoT refuses it/);
    expect(err.fix).toContain('tempcreds iot setup');
  });

  it('TEMPCREDS_IOT_CA_FILE replaces the profile CA; without either, the embedded Amazon roots', async () => {
    await put(device.certPem, device.keyPem);
    const other = join(dir, 'other-ca.pem');
    await writeFile(other, makeCa('other').certPem, { mode: 0o644 });
    expect((await readDeviceFiles(iot, { ...options, env: { TEMPCREDS_IOT_CA_FILE: other } })).caSource).toBe(
      other,
    );
    const embedded = await readDeviceFiles({ ...iot, caFile: undefined }, options);
    expect(embedded.caSource).toBe('the embedded Amazon roots');
    expect(embedded.ca).toContain('BEGIN CERTIFICATE');
  });
});
