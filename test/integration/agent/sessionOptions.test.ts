/**
 * The agent's role session with session options (`credentials.tags`, `transitiveTagKeys`,
 * `sourceIdentity`, `policy`, `policyArns`): refused at their file:line:column with STS's limits,
 * shown in `agent check`'s plan, and sent to STS (seen at the proxy) by the session the agent runs on,
 * renewals included; an SSO profile as the agent's credentials, and as the source of its tagged role.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../src/agent/loadConfig.js';
import { startAgentSession } from '../../../src/agent/credentials.js';
import { AgentConfigError } from '../../../src/agent/configError.js';
import { awsFiles } from '../../../src/config/paths.js';
import { createStsClient, getCallerIdentity } from '../../../src/aws/sts.js';
import { runCli } from '../../support/cli.js';
import { createTaggableRole, createTestRole } from '../../support/roles.js';
import { startSsoWorld, type SsoWorld } from '../../support/ssoWorld.js';
import { startRunbookFixture, type RunbookFixture } from '../../support/world.js';

describe('agent: session options on its role', () => {
  let f: RunbookFixture;
  let dir: string;
  const config = (credentials: string) => `credentials: ${credentials}
region: cn-northwest-1
stateDir: ${dir}/state
flows:
  - { name: readings, files: ["${dir}/*.log"], deliveryStream: iot-data-collector }
`;
  const write = async (text: string) => {
    const file = join(dir, 'agent.yaml');
    await writeFile(file, text);
    return file;
  };

  beforeAll(async () => {
    f = await startRunbookFixture({ region: 'cn-northwest-1', proxy: true });
    dir = await mkdtemp(join(tmpdir(), 'tempcreds-agent-session-'));
    await createTaggableRole(f.aws, 'collector', f.world.userArn);
  });
  afterAll(async () => {
    await f?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const good = `
  role: collector
  sourceProfile: sts_user
  tags: { Project: iot, Site: 7 }
  transitiveTagKeys: [Project]
  sourceIdentity: collector-7
  policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "firehose:*", Resource: "*" }] }
  policyArns: [arn:aws-cn:iam::aws:policy/ReadOnlyAccess]`;

  it('agent check shows them in the plan', async () => {
    const r = await runCli(['agent', 'check', '--config', await write(config(good))], {
      env: f.env(),
      cwd: dir,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      'credentials: role collector assumed with profile sts_user (2 session tags, sourceIdentity collector-7, with session policies)',
    );
  });

  it.each([
    ['tags: { "a!b": x }', 'tags', /tags key "a!b" has a character AWS does not allow/],
    [
      'tags: { A: x }\n  transitiveTagKeys: [B]',
      'transitiveTagKeys',
      /transitiveTagKeys B is not the key of any/,
    ],
    ['sourceIdentity: "aws:me"', 'sourceIdentity', /sourceIdentity "aws:me" starts with aws:/],
    ['policy: "{not json"', 'policy', /policy is not JSON/],
    [
      'policyArns: [ReadOnlyAccess]',
      'policyArns',
      /policyArns "ReadOnlyAccess" is not the ARN of an IAM managed policy/,
    ],
    [
      'policyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]',
      'policyArns',
      /is a policy of partition aws, but the session is made in cn-northwest-1 \(partition aws-cn\)/,
    ],
  ])('refuses %s at its place, exit 2', async (option, key, message) => {
    const text = config(`\n  role: collector\n  sourceProfile: sts_user\n  ${option}\n`);
    const file = await write(text);
    const r = await runCli(['agent', 'check', '--config', file], { env: f.env(), cwd: dir });
    expect(r.code).toBe(2);
    const line = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
    expect(r.stderr).toMatch(new RegExp(`agent\\.yaml:${line}:\\d+: `));
    expect(r.stderr).toMatch(message);
  });

  it('the session the agent runs on is made with them, and so is every renewal', async () => {
    const file = await write(config(good));
    const agentConfig = loadAgentConfig(file, { env: f.env(), cwd: dir });
    f.proxy!.clearLog();
    // 3-second sessions: renewed after a third of their life, so a renewal comes within seconds.
    f.proxy!.setSessionLifetime(3);
    const session = await startAgentSession(agentConfig, { env: f.env(), files: awsFiles(f.env()) });
    try {
      const deadline = Date.now() + 20_000;
      while (session.refreshes() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(session.refreshes()).toBeGreaterThanOrEqual(1);
      const assumes = f.proxy!.log.filter((e) => e.action === 'AssumeRole');
      expect(assumes.length).toBeGreaterThanOrEqual(2);
      for (const assume of assumes) {
        expect(assume).toMatchObject({
          status: 200,
          params: {
            'Tags.member.1.Key': 'Project',
            'Tags.member.1.Value': 'iot',
            'Tags.member.2.Key': 'Site',
            'Tags.member.2.Value': '7',
            'TransitiveTagKeys.member.1': 'Project',
            SourceIdentity: 'collector-7',
            Policy:
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"firehose:*","Resource":"*"}]}',
            'PolicyArns.member.1.arn': 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess',
          },
        });
      }
    } finally {
      session.close();
      f.proxy!.setSessionLifetime(undefined);
    }
  });

  it('a role key beside profile is refused at its line: the profile makes its session as it says', async () => {
    const text = config('\n  profile: sts_user\n  sourceIdentity: collector-7\n');
    const r = await runCli(['agent', 'check', '--config', await write(text)], { env: f.env(), cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /agent\.yaml:3:\d+: credentials\.sourceIdentity goes with role, not with profile/,
    );
    expect(r.stderr).toContain('credentials: { role: ROLE, sourceProfile: sts_user, sourceIdentity: ... }');
  });

  it('loadAgentConfig reports every refusal as an AgentConfigError', async () => {
    const file = await write(config(`{ role: collector, sourceProfile: sts_user, tags: { "": x } }`));
    expect(() => loadAgentConfig(file, { env: f.env(), cwd: dir })).toThrow(AgentConfigError);
  });
});

describe('agent: an SSO profile as its credentials', () => {
  let w: SsoWorld;
  let dir: string;
  let deployArn: string;
  const load = async (credentials: string) => {
    const file = join(dir, 'agent.yaml');
    await writeFile(
      file,
      `credentials: ${credentials}\nstateDir: ${dir}/state\nflows:\n  - { name: a, files: ["${dir}/*.log"], deliveryStream: s }\n`,
    );
    return loadAgentConfig(file, { env: w.env(), cwd: dir });
  };

  const home = process.env.HOME;

  beforeAll(async () => {
    w = await startSsoWorld();
    // The SDK finds the token cache under the process's HOME (it reads process.env, not the injected env).
    process.env.HOME = w.home.home;
    dir = await mkdtemp(join(tmpdir(), 'tempcreds-agent-sso-'));
    // The SSO session may assume deploy with tags and a SourceIdentity.
    deployArn = await createTestRole(w.aws, {
      roleName: 'deploy',
      trust: [
        {
          Effect: 'Allow',
          Principal: { AWS: w.ssoSessionArn },
          Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        },
      ],
      permissions: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
    });
  });
  afterAll(async () => {
    process.env.HOME = home;
    await w?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const whoIs = async (session: Awaited<ReturnType<typeof startAgentSession>>) => {
    const sts = createStsClient({
      region: session.region,
      endpointUrl: w.env().AWS_ENDPOINT_URL,
      credentials: session.provider,
      env: w.env(),
    });
    try {
      return (await getCallerIdentity(sts)).arn;
    } finally {
      sts.destroy();
    }
  };

  it("{ profile: SSO } runs on the portal's session of the permission set", async () => {
    await w.login();
    const session = await startAgentSession(await load('{ profile: sso-admin }'), {
      env: w.env(),
      files: awsFiles(w.env()),
    });
    try {
      expect(session.region).toBe(w.region);
      expect(session.expiration()).toBeInstanceOf(Date);
      expect(await whoIs(session)).toBe(w.ssoSessionArn);
      expect(w.sso.log.filter((e) => e.service === 'portal').at(-1)).toMatchObject({ status: 200 });
    } finally {
      session.close();
    }
  });

  it('{ role, sourceProfile: SSO, tags, sourceIdentity }: the role chained from the SSO session, with them', async () => {
    await w.login();
    w.proxy.clearLog();
    const config = await load(
      '{ role: deploy, sourceProfile: sso-admin, tags: { Project: iot }, sourceIdentity: alice }',
    );
    const session = await startAgentSession(config, { env: w.env(), files: awsFiles(w.env()) });
    try {
      expect(await whoIs(session)).toMatch(/:assumed-role\/deploy\/tempcreds-agent-/);
      // (The portal's own AssumeRole of the permission set's role goes through the proxy too.)
      const assume = w.proxy.log.find((e) => e.action === 'AssumeRole' && e.params.RoleArn === deployArn);
      expect(assume).toMatchObject({
        status: 200,
        params: {
          RoleArn: deployArn,
          'Tags.member.1.Key': 'Project',
          'Tags.member.1.Value': 'iot',
          SourceIdentity: 'alice',
        },
      });
    } finally {
      session.close();
    }
  });
});
