/**
 * A separate process for the concurrency tests: says "ready", waits for a line on stdin (so that
 * all children start writing at the same moment), then calls writeProfile `rounds` times,
 * printing each round's number once it is written (the crash test kills it at random moments).
 * Usage: node --import tsx writeProfileChild.ts CONFIG CREDENTIALS PROFILE [ROUNDS]
 */
import { once } from 'node:events';
import { writeProfile } from '../../../src/config/write.js';

const [configFile = '', credentialsFile = '', profile = '', rounds = '1'] = process.argv.slice(2);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (let round = 1; round <= Number(rounds); round++) {
  await writeProfile({ configFile, credentialsFile }, profile, {
    credentials: {
      aws_access_key_id: `AKIA-${profile}-${round}`,
      aws_secret_access_key: `secret-${profile}-${round}`,
    },
    config: { region: `region-${profile}-${round}` },
  });
  process.stdout.write(`${round}\n`);
}
process.stdin.destroy();
