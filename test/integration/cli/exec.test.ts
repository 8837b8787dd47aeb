import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../../support/awsProxy.js';
import { CLI, runCli } from '../../support/cli.js';
import { startRunbookFixture, type RunbookFixture, type World } from '../../support/world.js';

const CALLER_LOOP = resolve(import.meta.dirname, '../../support/children/callerLoop.mjs');

describe('tempcreds exec', () => {
  let fixture: RunbookFixture;
  let proxy: AwsProxy;
  let world: World;
  const env = (extra: NodeJS.ProcessEnv = {}) => fixture.env(extra);
  const execArgs = (...command: string[]) => [
    'exec',
    world.roleName,
    '--source-profile',
    'sts_user',
    '--endpoint-url',
    proxy.endpoint,
    '--',
    ...command,
  ];

  beforeAll(async () => {
    fixture = await startRunbookFixture({ region: 'cn-northwest-1', proxy: true });
    ({ world } = fixture);
    proxy = fixture.proxy!;
  });
  afterAll(() => fixture?.stop());

  it('gives the child the role keys and region, and removes AWS_PROFILE and stray keys', async () => {
    const show = `const e=process.env;console.log(JSON.stringify({p:e.AWS_PROFILE??null,k:e.AWS_ACCESS_KEY_ID.slice(0,4),t:!!e.AWS_SESSION_TOKEN,x:e.AWS_CREDENTIAL_EXPIRATION,r:e.AWS_REGION,d:e.AWS_DEFAULT_REGION,c:e.AWS_CONTAINER_CREDENTIALS_FULL_URI??null}))`;
    const r = await runCli(execArgs('node', '-e', show), {
      env: env({ AWS_PROFILE: 'sts_user', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.2/x' }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({
      p: null,
      k: 'ASIA',
      t: true,
      r: 'cn-northwest-1',
      d: 'cn-northwest-1',
      c: null,
    });
    expect(Date.parse(seen.x)).toBeGreaterThan(Date.now());
  });

  it('the child calls AWS as the role', async () => {
    const r = await runCli(execArgs('node', CALLER_LOOP), { env: env({ LOOP_DURATION_MS: '1' }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.split('\n')[0]!).arn).toMatch(`:assumed-role/${world.roleName}/`);
  });

  it('passes the exit code through', async () => {
    expect((await runCli(execArgs('node', '-e', 'process.exit(7)'), { env: env() })).code).toBe(7);
    expect((await runCli(execArgs('sh', '-c', 'exit 0'), { env: env() })).code).toBe(0);
  });

  it('reports death by signal as 128+N', async () => {
    const r = await runCli(execArgs('sh', '-c', 'kill -TERM $$'), { env: env() });
    expect(r.code).toBe(143);
  });

  it('forwards SIGTERM and SIGINT to the child, then exits with its code', async () => {
    for (const [signal, code] of [
      ['SIGTERM', 42],
      ['SIGINT', 43],
    ] as const) {
      const script = `process.on('${signal}',()=>{console.log('child got ${signal}');process.exit(${code})});setInterval(()=>{},1000);console.log('ready')`;
      const child = spawn(process.execPath, [CLI, ...execArgs('node', '-e', script)], { env: env() });
      let out = '';
      await new Promise<void>((ready) =>
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('ready')) ready();
        }),
      );
      child.kill(signal);
      const exitCode = await new Promise((done) => child.on('close', done));
      expect(out).toContain(`child got ${signal}`);
      expect(exitCode).toBe(code);
    }
  });

  it('a missing command exits 127-style usage error without running anything', async () => {
    const r = await runCli(execArgs('no-such-command-xyz'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot run no-such-command-xyz: command not found');
    const none = await runCli(['exec', world.roleName, '--source-profile', 'sts_user'], { env: env() });
    expect(none.code).toBe(2);
  });

  it('a missing command fails before any call to AWS, with or without --server', async () => {
    proxy.clearLog();
    for (const server of [[], ['--server']]) {
      const r = await runCli(['exec', ...server, ...execArgs('no-such-command-xyz').slice(1)], {
        env: env(),
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('cannot run no-such-command-xyz: command not found');
      const notExecutable = await runCli(execArgs('./package.json'), {
        env: env(),
        cwd: resolve(CLI, '../..'),
      });
      expect(notExecutable.code).toBe(2);
    }
    expect(proxy.log).toEqual([]);
  });

  it('a role ARN of another partition than the source is refused before any call to AWS, with why', async () => {
    proxy.clearLog();
    const global = `arn:aws:iam::${world.accountId}:role/${world.roleName}`;
    for (const args of [
      ['assume', global, '--source-profile', 'sts_user', '--endpoint-url', proxy.endpoint],
      ['exec', global, '--source-profile', 'sts_user', '--endpoint-url', proxy.endpoint, '--', 'true'],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toBe(
        `tempcreds: ${global} is a role of partition aws, but profile sts_user calls STS in cn-northwest-1 (partition aws-cn): a role can only be assumed with keys of its own partition.\n` +
          `  fix: Use the role's aws-cn ARN (arn:aws-cn:iam::...), or a source profile whose region is in aws.\n`,
      );
    }
    expect(proxy.log).toEqual([]);
  });

  it('--server: a long-running child keeps working after its first sessions expired', async () => {
    // 4-second sessions over 10 seconds: several expiries, with headroom for a loaded CI machine.
    proxy.setSessionLifetime(4);
    proxy.clearLog();
    try {
      const r = await runCli(['exec', '--server', ...execArgs('node', CALLER_LOOP).slice(1)], {
        env: env({ LOOP_DURATION_MS: '10000', LOOP_INTERVAL_MS: '200' }),
        timeoutMs: 60_000,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(summary.calls).toBeGreaterThan(10);
      // The child must have been handed several sessions, and never an expired one.
      expect(summary.distinctKeys).toBeGreaterThanOrEqual(3);
      expect(proxy.log.filter((e) => e.status === 400 && e.action === 'GetCallerIdentity')).toEqual([]);
    } finally {
      proxy.setSessionLifetime(undefined);
    }
  });

  it('--server: the endpoint refuses a request without the token, and the child has no fixed keys', async () => {
    const probe = `(async()=>{const e=process.env;const u=e.AWS_CONTAINER_CREDENTIALS_FULL_URI;const bad=await fetch(u);const good=await fetch(u,{headers:{Authorization:e.AWS_CONTAINER_AUTHORIZATION_TOKEN}});const body=await good.json();console.log(JSON.stringify({host:new URL(u).hostname,bad:bad.status,good:good.status,keys:Object.keys(body),fixed:e.AWS_ACCESS_KEY_ID??null,region:e.AWS_REGION}))})()`;
    const r = await runCli(['exec', '--server', ...execArgs('node', '-e', probe).slice(1)], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      host: '127.0.0.1',
      bad: 403,
      good: 200,
      keys: ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'],
      fixed: null,
      region: 'cn-northwest-1',
    });
  });
});
