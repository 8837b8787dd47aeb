import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startLocalAws, type LocalAws } from '../support/localAws.js';

describe('local AWS harness', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ region: 'cn-northwest-1' });
  });
  afterAll(() => aws?.stop());

  it('bootstraps an aws-cn administrator and enforces signatures', async () => {
    const sts = new STSClient(aws.adminClientConfig());
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe('arn:aws-cn:iam::123456789012:user/admin');
    const stranger = new STSClient({
      ...aws.adminClientConfig(),
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });

  it('reset keeps a working administrator', async () => {
    await aws.reset();
    const sts = new STSClient(aws.adminClientConfig());
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
  });
});
