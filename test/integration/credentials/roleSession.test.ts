import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startLocalAws, type LocalAws } from '../../support/localAws.js';
import { startAwsProxy, type AwsProxy } from '../../support/awsProxy.js';
import { createWorld, type World } from '../../support/world.js';
import { startRoleSession } from '../../../src/credentials/roleSession.js';
import { parseAssumeRoleRequest } from '../../../src/credentials/assumeRoleRequest.js';

/** The library as a Node user holds it: one provider, one SDK client, for as long as the process runs. */
describe('startRoleSession: a refreshing provider for any SDK v3 client', () => {
  let aws: LocalAws;
  let proxy: AwsProxy;
  let world: World;

  beforeAll(async () => {
    aws = await startLocalAws({ region: 'cn-northwest-1' });
    proxy = await startAwsProxy({ target: aws.endpoint, admin: () => aws.admin, region: 'cn-northwest-1' });
    world = await createWorld(aws);
  });
  afterAll(async () => {
    await proxy?.stop();
    await aws?.stop();
  });

  it('survives three refreshes: sessions of 2 s, calls for 7 s, never an ExpiredToken', async () => {
    proxy.setSessionLifetime(2);
    const session = await startRoleSession({
      source: {
        profile: 'sts_user',
        region: 'cn-northwest-1',
        credentials: async () => world.userKeys,
        roleSession: false,
      },
      request: parseAssumeRoleRequest({ role: world.roleName }),
      endpointUrl: proxy.endpoint,
      env: {},
      minTtlSeconds: 1,
    });
    const sts = new STSClient({
      region: 'cn-northwest-1',
      endpoint: proxy.endpoint,
      credentials: session.provider,
    });
    const keys = new Set<string>();
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 7000) {
      const me = await sts.send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toContain(`assumed-role/${world.roleName}/`);
      keys.add((await session.provider()).accessKeyId);
      calls += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(calls).toBeGreaterThan(20);
    expect(session.provider.fetches).toBeGreaterThanOrEqual(3);
    expect(keys.size).toBeGreaterThanOrEqual(4);
    expect(proxy.log.filter((e) => e.status === 400)).toEqual([]);
    // The refreshes reuse the granted duration, and STS was called in China, not us-east-1.
    expect(session.region).toBe('cn-northwest-1');
  });

  it('STS goes to the regional endpoint of the partition when no endpoint is overridden', async () => {
    const { clientConfig } = await import('../../../src/aws/clients.js');
    expect(
      clientConfig('sts', { region: 'cn-northwest-1', credentials: world.userKeys, env: {} }).endpoint,
    ).toBe('https://sts.cn-northwest-1.amazonaws.com.cn');
  });
});
