/**
 * `exec --server`: whatever the user's files hold, the child's AWS CLI v2, boto3 and SDK v3 call
 * AWS as the role, and keep the profile's region and other settings. Each credential chain reads
 * the shared files before the container endpoint, so keys there used to win over the role.
 */
import { execFile } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { startRunbookFixture, writeKeysProfile, type RunbookFixture } from '../../support/world.js';

const run = promisify(execFile);
const SDK_CHILD = resolve(import.meta.dirname, '../../support/children/identity.mjs');
const BOTO3_CHILD = [
  'import json, boto3, botocore.session',
  's = boto3.Session()',
  "region = botocore.session.Session().get_scoped_config().get('region')",
  "print(json.dumps({'arn': s.client('sts').get_caller_identity()['Arn'], 'region': s.region_name, 'fileRegion': region}))",
].join('\n');
/** The three readers, one JSON line each, then two settings the AWS CLI reads from the child's config file. */
const READERS = [
  '/usr/bin/aws sts get-caller-identity --endpoint-url "$AWS_ENDPOINT_URL" --output json | tr -d "\\n"; echo',
  `python3 -c "$BOTO3_CHILD"`,
  `node "$SDK_CHILD"`,
  '/usr/bin/aws configure get default.region',
  '/usr/bin/aws configure get default.s3.max_concurrent_requests',
].join(' && ');

describe('exec --server: the child is the role, whatever the files hold', () => {
  let fixture: RunbookFixture;
  let admin: { accessKeyId: string; secretAccessKey: string };
  const config = '[default]\nregion = cn-northwest-1\ns3 =\n  max_concurrent_requests = 7\n';

  beforeAll(async () => {
    fixture = await startRunbookFixture({ region: 'cn-northwest-1' });
    admin = fixture.aws.admin;
  });
  afterAll(() => fixture?.stop());
  beforeEach(async () => {
    await writeFile(fixture.home.configFile, config);
    await writeFile(fixture.home.credentialsFile, '', { mode: 0o600 });
    await writeKeysProfile(fixture.home, 'sts_user', fixture.world.userKeys, 'cn-northwest-1');
  });

  /** `tempcreds exec ROLE --source-profile sts_user FLAGS -- COMMAND`, with the reader scripts in its environment. */
  const execAsRole = (flags: string[], ...command: string[]) =>
    runCli(['exec', fixture.world.roleName, '--source-profile', 'sts_user', ...flags, '--', ...command], {
      env: fixture.env({ BOTO3_CHILD, SDK_CHILD }),
      timeoutMs: 90_000,
    });
  const execReaders = () => execAsRole(['--server'], 'sh', '-c', READERS);

  const expectRole = async () => {
    const r = await execReaders();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [cli, boto3, sdk, fileRegion, s3Setting] = r.stdout.trim().split('\n');
    const role = new RegExp(`^arn:aws-cn:sts::\\d{12}:assumed-role/${fixture.world.roleName}/`);
    expect(JSON.parse(cli!).Arn, 'AWS CLI v2').toMatch(role);
    expect(JSON.parse(boto3!), 'boto3').toMatchObject({
      region: 'cn-northwest-1',
      fileRegion: 'cn-northwest-1',
    });
    expect(JSON.parse(boto3!).arn, 'boto3').toMatch(role);
    expect(JSON.parse(sdk!), 'SDK v3').toMatchObject({ region: 'cn-northwest-1' });
    expect(JSON.parse(sdk!).arn, 'SDK v3').toMatch(role);
    expect(fileRegion).toBe('cn-northwest-1');
    expect(s3Setting).toBe('7');
  };

  it('[default] with administrator keys in the credentials file', async () => {
    await writeKeysProfile(fixture.home, 'default', admin);
    await expectRole();
  });

  it('[default] with keys in the config file, spelled as botocore still reads them', async () => {
    const keys = `AWS_ACCESS_KEY_ID = ${admin.accessKeyId}\naws_secret_access_key: ${admin.secretAccessKey}\n`;
    const text = await readFile(fixture.home.configFile, 'utf8');
    await writeFile(fixture.home.configFile, text.replace('[default]\n', `[default]\n${keys}`));
    await expectRole();
  });

  it('~/.boto keys and a [default] credential_process that prints administrator keys', async () => {
    await writeFile(
      join(fixture.home.home, '.boto'),
      `[Credentials]\naws_access_key_id = ${admin.accessKeyId}\naws_secret_access_key = ${admin.secretAccessKey}\n`,
    );
    const script = join(fixture.home.home, 'admin-keys.sh');
    const json = JSON.stringify({
      Version: 1,
      AccessKeyId: admin.accessKeyId,
      SecretAccessKey: admin.secretAccessKey,
    });
    await writeFile(script, `#!/bin/sh\necho '${json}'\n`, { mode: 0o700 });
    await appendFile(fixture.home.configFile, `credential_process = ${script}\n`);
    await expectRole();
  });

  it('--token-file: the token is in a private 0600 file, not in the environment, and is gone afterwards', async () => {
    const probe = [
      'const fs=require("fs"),path=require("path");const e=process.env;const f=e.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;',
      'const token=fs.readFileSync(f,"utf8");',
      'fetch(e.AWS_CONTAINER_CREDENTIALS_FULL_URI,{headers:{Authorization:token}}).then(async r=>console.log(JSON.stringify({',
      'status:r.status,keys:Object.keys(await r.json()),inEnv:e.AWS_CONTAINER_AUTHORIZATION_TOKEN??null,file:f,',
      'fileMode:(fs.statSync(f).mode&0o777).toString(8),dirMode:(fs.statSync(path.dirname(f)).mode&0o777).toString(8)})))',
    ].join('');
    const r = await execAsRole(['--server', '--token-file'], 'node', '-e', probe);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({
      status: 200,
      keys: ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'],
      inEnv: null,
      fileMode: '600',
      dirMode: '700',
    });
    await expect(run('test', ['-e', seen.file])).rejects.toThrow();
    // The SDK v3 and boto3 read the file themselves.
    const readers = await execAsRole(
      ['--server', '--token-file'],
      'sh',
      '-c',
      `python3 -c "$BOTO3_CHILD" && node "$SDK_CHILD"`,
    );
    expect(readers.stderr).toBe('');
    for (const line of readers.stdout.trim().split('\n')) {
      expect(JSON.parse(line).arn).toMatch(`:assumed-role/${fixture.world.roleName}/`);
    }
  });

  it('--token-file without --server is bad usage', async () => {
    const r = await execAsRole(['--token-file'], 'true');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--token-file goes with --server');
  });
});
