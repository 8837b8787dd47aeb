// A long-running "workload": calls sts:GetCallerIdentity with the SDK's default credential chain
// every INTERVAL ms for DURATION ms and prints one JSON line per call (never the secret).
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const durationMs = Number(process.env.LOOP_DURATION_MS ?? 1000);
const intervalMs = Number(process.env.LOOP_INTERVAL_MS ?? 250);
const sts = new STSClient({});
const keys = new Set();
const started = Date.now();
let calls = 0;
while (Date.now() - started < durationMs) {
  const credentials = await sts.config.credentials();
  keys.add(credentials.accessKeyId);
  const me = await sts.send(new GetCallerIdentityCommand({}));
  calls += 1;
  if (calls === 1) console.log(JSON.stringify({ arn: me.Arn }));
  await new Promise((r) => setTimeout(r, intervalMs));
}
console.log(JSON.stringify({ calls, distinctKeys: keys.size }));
