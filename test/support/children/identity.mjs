// What the AWS SDK v3 default chain makes of this process's environment and files: who it calls
// AWS as, and in which region. One JSON line; never a secret.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const sts = new STSClient({});
const me = await sts.send(new GetCallerIdentityCommand({}));
console.log(JSON.stringify({ arn: me.Arn, region: await sts.config.region() }));
