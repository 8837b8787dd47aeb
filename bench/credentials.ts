/**
 * Issue 2's figures, on one local moto (enforcement on), same machine, same moment:
 *  1. `credential-process` cache hit vs a bare `node -e 0` (goal <= 1.3x), also with session options
 *     (tags, SourceIdentity and a `--policy file://` document the hit reads for its key);
 *  2. `tempcreds assume --write-profile` vs the runbook's own step-5 script with the AWS CLI v2
 *     (assume-role, jq/sed exports, four `aws configure set`) (goal <= 0.15x).
 * Run: npm run bench -- credentials
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalAws } from '../test/support/localAws.js';
import { makeTempHome, CLI } from '../test/support/cli.js';
import { createWorld, writeKeysProfile } from '../test/support/world.js';
import { awsCliV2, ratioLine, timeCommand } from './timing.js';

const aws2 = awsCliV2();
const local = await startLocalAws({ region: 'cn-northwest-1' });
const home = await makeTempHome();
try {
  const world = await createWorld(local);
  await writeKeysProfile(home, 'sts_user', world.userKeys, 'cn-northwest-1');
  const env = home.env({ AWS_ENDPOINT_URL: local.endpoint });

  // 1. The cache hit.
  const cpArgs = [CLI, 'credential-process', '--role-arn', world.roleArn, '--source-profile', 'sts_user'];
  timeCommand(process.execPath, cpArgs, { env, runs: 1 }); // fills the cache
  const bare = timeCommand(process.execPath, ['-e', '0'], { env, runs: 40 });
  const hit = timeCommand(process.execPath, cpArgs, { env, runs: 40 });
  console.log(`node -e 0: ${bare.medianMs.toFixed(1)} ms (min ${bare.minMs.toFixed(1)})`);
  console.log(`credential-process cache hit: ${hit.medianMs.toFixed(1)} ms (min ${hit.minMs.toFixed(1)})`);
  console.log(ratioLine('credential-process cache hit vs node -e 0', hit, bare, 1.3));
  const policyFile = join(home.home, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    }),
  );
  const sessionArgs = [
    ...cpArgs,
    ...['--tag', 'Project=iot', '--tag', 'Team=data', '--source-identity', 'alice'],
    ...['--policy', `file://${policyFile}`],
  ];
  timeCommand(process.execPath, sessionArgs, { env, runs: 1 }); // fills the cache
  const hitSession = timeCommand(process.execPath, sessionArgs, { env, runs: 40 });
  console.log(
    `credential-process cache hit, session options: ${hitSession.medianMs.toFixed(1)} ms (min ${hitSession.minMs.toFixed(1)})`,
  );
  console.log(ratioLine('cache hit with session options vs node -e 0', hitSession, bare, 1.3));

  // 2. Step 5: the runbook's script, verbatim but for the endpoint and the role ARN.
  const script = join(home.home, 'runbook-step5.sh');
  writeFileSync(
    script,
    `set -e
aws() { ${aws2} "$@"; }
aws sts assume-role --role-arn ${world.roleArn} --role-session-name "role-name-session1" --duration-seconds 3600 --profile sts_user --endpoint-url ${local.endpoint} > assume-role-output.txt

export AWS_ACCESS_KEY_ID=$(cat assume-role-output.txt | jq '.Credentials.AccessKeyId' | sed 's/"//g')
export AWS_SECRET_ACCESS_KEY=$(cat assume-role-output.txt | jq '.Credentials.SecretAccessKey' | sed 's/"//g')
export AWS_SESSION_TOKEN=$(cat assume-role-output.txt | jq '.Credentials.SessionToken' | sed 's/"//g')

aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID --profile target-role-profile
aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY --profile target-role-profile
aws configure set aws_session_token $AWS_SESSION_TOKEN --profile target-role-profile
aws configure set default.region cn-northwest-1 --profile target-role-profile
`,
  );
  const runbook = timeCommand('bash', [script], { env, cwd: home.home, runs: 5 });
  const ours = timeCommand(
    process.execPath,
    [
      CLI,
      'assume',
      world.roleArn,
      '--source-profile',
      'sts_user',
      '--session-name',
      'role-name-session1',
      '--write-profile',
      'target-role-profile',
    ],
    { env, runs: 15 },
  );
  console.log(`runbook step 5 (AWS CLI v2, 5 aws processes + jq): ${runbook.medianMs.toFixed(0)} ms`);
  console.log(`tempcreds assume --write-profile: ${ours.medianMs.toFixed(0)} ms`);
  console.log(ratioLine('assume --write-profile vs runbook step 5', ours, runbook, 0.15));
} finally {
  await home.cleanup();
  await local.stop();
}
