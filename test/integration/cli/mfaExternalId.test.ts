import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy } from '../../support/awsProxy.js';
import { CLI, runCli } from '../../support/cli.js';
import { startRunbookFixture, type RunbookFixture, type World } from '../../support/world.js';

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `typed` at its prompt. */
function runOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  typed: string,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('MFA code for')) child.stdin.write(typed);
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('ExternalId and MFA', () => {
  let fixture: RunbookFixture;
  let proxy: AwsProxy;
  let partner: World;
  const env = () => fixture.env();
  const lastAssume = () => proxy.log.filter((e) => e.action === 'AssumeRole').pop()!;

  beforeAll(async () => {
    fixture = await startRunbookFixture({
      region: 'cn-north-1',
      proxy: true,
      world: { trustCondition: { StringEquals: { 'sts:ExternalId': 'partner-1234' } } },
    });
    partner = fixture.world;
    proxy = fixture.proxy!;
  });
  afterAll(() => fixture?.stop());

  // moto lets a request without ExternalId through such a trust policy (AWS refuses it); a wrong
  // ExternalId it refuses as AWS does, which is the case tested here.
  it('a trust policy that requires sts:ExternalId refuses a wrong one and accepts the right one', async () => {
    const wrong = await runCli(
      ['assume', partner.roleName, '--source-profile', 'sts_user', '--external-id', 'guess-0000'],
      {
        env: env(),
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /AccessDenied: User: arn:aws-cn:iam::123456789012:user\/sts_user\d+ is not authorized to perform: sts:AssumeRole/,
    );
    const withId = await runCli(
      ['assume', partner.roleName, '--source-profile', 'sts_user', '--external-id', 'partner-1234'],
      {
        env: env(),
      },
    );
    expect(withId.code).toBe(0);
    expect(lastAssume().params.ExternalId).toBe('partner-1234');
  });

  it('--token-code is sent with --mfa-serial', async () => {
    const serial = 'arn:aws-cn:iam::123456789012:mfa/sts_user';
    const r = await runCli(
      [
        'assume',
        partner.roleName,
        '--source-profile',
        'sts_user',
        '--external-id',
        'partner-1234',
        '--mfa-serial',
        serial,
        '--token-code',
        '654321',
      ],
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(lastAssume().params).toMatchObject({ SerialNumber: serial, TokenCode: '654321' });
  });

  it('on a terminal, a missing MFA code is asked for', async () => {
    const serial = 'arn:aws-cn:iam::123456789012:mfa/sts_user';
    const { code, output } = await runOnTerminal(
      [
        'assume',
        partner.roleName,
        '--source-profile',
        'sts_user',
        '--external-id',
        'partner-1234',
        '--mfa-serial',
        serial,
        '--format',
        'process',
      ],
      env(),
      '123456\n',
    );
    expect(output).toContain(`MFA code for ${serial}: `);
    expect(code).toBe(0);
    expect(lastAssume().params).toMatchObject({ SerialNumber: serial, TokenCode: '123456' });
  });
});
