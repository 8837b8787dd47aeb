/**
 * Credentials for the long haul: `--role ROLE --source-profile sts_user` with sessions that live
 * 3 seconds (the proxy rewrites their Expiration and refuses expired keys with ExpiredToken, as
 * S3 does), and a sync that runs across several of them. moto enforces IAM here (STS and S3):
 * the keys are the role's, the bucket is at its root and the names are plain, which stays clear
 * of moto's S3 signature bug.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { createWorld, writeKeysProfile, type World } from '../../support/world.js';
import { startSlowLink, type SlowLink } from './slowLink.js';
import { folder, removeFolder } from './world.js';

const REGION = 'us-east-1';
const LIFETIME_SECONDS = 3;
/** One worker, each S3 request held this long: the upload lasts at least FILES x DELAY. */
const FILES = 36;
const S3_DELAY_MS = 260;

describe('s3 sync outlives its sessions', () => {
  let aws: LocalAws;
  let proxy: AwsProxy;
  let link: SlowLink;
  let home: TempHome;
  let world: World;
  beforeAll(async () => {
    aws = await startLocalAws({ region: REGION, enforce: true });
    world = await createWorld(aws);
    const admin = new S3Client(aws.adminClientConfig());
    await admin.send(new CreateBucketCommand({ Bucket: 'long-haul' }));
    admin.destroy();
    proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: REGION });
    link = await startSlowLink(proxy.endpoint, S3_DELAY_MS);
    home = await makeTempHome();
    await writeKeysProfile(home, 'sts_user', world.userKeys, REGION);
  });
  afterAll(async () => {
    await link?.stop();
    await proxy?.stop();
    await home?.cleanup();
    await aws?.stop();
  });

  it('--role with 3-second sessions: every file delivered across several expiries', async () => {
    const files = Object.fromEntries(
      Array.from({ length: FILES }, (_, i) => [`f${String(i).padStart(4, '0')}.txt`, `file ${i}\n`]),
    );
    const src = await folder(files);
    try {
      proxy.setSessionLifetime(LIFETIME_SECONDS);
      const started = Date.now();
      const up = await runCli(
        [
          's3',
          'sync',
          src,
          's3://long-haul/',
          '--concurrency',
          '1',
          '--role',
          world.roleName,
          '--source-profile',
          'sts_user',
        ].concat(['--endpoint-url', link.endpoint]),
        { env: home.env({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }), timeoutMs: 60_000 },
      );
      const seconds = (Date.now() - started) / 1000;
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(new RegExp(`Uploaded ${FILES} files .* 0 failed`));
      const delivered = await objects(aws);
      expect(delivered).toEqual(files);

      // The sync outlived its first session three times over, on fresh sessions from new AssumeRoles.
      expect(seconds).toBeGreaterThan(3 * LIFETIME_SECONDS);
      expect(
        proxy.log.filter((e) => e.action === 'AssumeRole' && e.status === 200).length,
      ).toBeGreaterThanOrEqual(4);
      const s3Keys = new Set(proxy.log.filter((e) => e.service === 's3').map((e) => e.accessKeyId));
      expect(s3Keys.size).toBeGreaterThanOrEqual(4);
      // No S3 request failed (the proxy would have refused an expired key with ExpiredToken).
      expect(proxy.log.filter((e) => e.service === 's3' && (e.status ?? 0) >= 400)).toEqual([]);
    } finally {
      proxy.setSessionLifetime(undefined);
      await removeFolder(src);
    }
  });
});

/** Every object of the bucket, read back as the administrator: key -> text. */
async function objects(aws: LocalAws): Promise<Record<string, string>> {
  const admin = new S3Client(aws.adminClientConfig());
  try {
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: 'long-haul' }));
    const out: Record<string, string> = {};
    for (const o of listed.Contents ?? []) {
      const body = await admin.send(new GetObjectCommand({ Bucket: 'long-haul', Key: o.Key }));
      out[o.Key!] = await body.Body!.transformToString();
    }
    return out;
  } finally {
    admin.destroy();
  }
}
