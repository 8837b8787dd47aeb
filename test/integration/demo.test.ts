import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `npm run demo` is the README's first command: it must keep working, end to end. */
describe('npm run demo', () => {
  it('runs the runbook on the local AWS and shows the delivered record', () => {
    const root = resolve(import.meta.dirname, '../..');
    // As a user runs it: without the switch that silences the SDK's Node-version warning (vitest sets it).
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 180_000,
      env,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Nothing to do.');
    expect(out).toContain('FAIL  trust');
    expect(out).toMatch(/Wrote profile target-role-profile \(region cn-northwest-1\): arn:aws-cn:sts::/);
    expect(out).toMatch(/delivered s3:\/\/serverless-hands-on\/firehose\/\S+: "Hello world"/);
    expect(out).toContain('10000 records');
    expect(out).toContain('Uploaded 0 files');
    expect(out).toMatch(/every reading arrived: 3000 of 3000 \(\d+ sent twice/);
    expect(out).toMatch(/^tempcreds_agent_records_delivered_total\{flow="readings"\} \d+$/m);
    expect(out).toMatch(/kill -TERM <agent> +\(drains, commits, exit 0\)/);
    expect(out).toMatch(/flow readings: healthy; spool empty/);
    expect(out).toMatch(/\nDone\./);
  }, 200_000);
});
