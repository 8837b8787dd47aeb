/**
 * `tempcreds agent check` and the other commands that read a config, as a user runs them: bad
 * configs get exit 2 with file:line:column and the fix, and nothing is written.
 */
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS } from '../../../src/agent/nodeFlags.js';
import { makeTempHome, runCli, type TempHome } from '../../support/cli.js';

let home: TempHome;
/** Known before the cases below are written (they name it); made in beforeAll. */
const dir = join(tmpdir(), `tempcreds-agent-check-${process.pid}`);
beforeAll(async () => {
  home = await makeTempHome();
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFile(join(dir, 'logs', 'a.log'), 'x\n');
  await writeFile(join(dir, 'afile'), '');
});
afterAll(async () => {
  await home.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const good = (state = join(dir, 'state')) => `credentials: { role: target-role-name, sourceProfile: sts_user }
region: cn-northwest-1
stateDir: ${state}
flows:
  - name: readings
    files: ["${dir}/logs/*.log"]
    deliveryStream: iot-data-collector
    flushInterval: 1s
syncs:
  - { name: uploads, from: ${dir}/out, to: "s3://serverless-hands-on/rclone_copy/", every: 5m }
spool: { maxBytes: 1GiB }
http: { listen: "127.0.0.1:9464" }
`;

async function check(text: string, name = 'agent.yaml') {
  const file = join(dir, name);
  await writeFile(file, text);
  const before = await readdir(dir);
  const result = await runCli(['agent', 'check', '--config', file], { env: home.env(), cwd: dir });
  expect(await readdir(dir)).toEqual(before); // nothing written: no state dir, no file
  return result;
}

/** `line:column` (1-based) of the first `marker` in `text` (the last one with `last`). */
function place(text: string, marker: string, last = false): string {
  const at = last ? text.lastIndexOf(marker) : text.indexOf(marker);
  if (at === -1) throw new Error(`no ${marker} in the config`);
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/**
 * Each: a config, where its first issue is (the text there; `last`: its last occurrence), words of
 * the message and of the fix.
 */
const BAD: { name: string; text: string; at: string; last?: boolean; says: RegExp; fix: RegExp }[] = [
  {
    name: 'an unknown key',
    text: good() + 'flowz: []\n',
    at: 'flowz',
    says: /unknown key "flowz"/,
    fix: /Did you mean "flows"/,
  },
  {
    name: 'a misspelt flow key',
    text: good().replace('flushInterval: 1s', 'flushIntervall: 1s'),
    at: 'flushIntervall',
    says: /unknown key "flushIntervall" in flows\[0\]/,
    fix: /flushInterval/,
  },
  {
    name: 'a relative glob',
    text: good().replace(`"${dir}/logs/*.log"`, '"logs/*.log"'),
    at: '"logs/',
    says: /is not absolute/,
    fix: /absolute path or glob/,
  },
  {
    name: 'a bad glob',
    text: good().replace('*.log"', '[a.log"'),
    at: `"${dir}/logs/[a`,
    says: /not a valid glob/,
    fix: /absolute path or glob/,
  },
  {
    name: 'a bad interval',
    text: good().replace('flushInterval: 1s', 'flushInterval: fast'),
    at: 'fast',
    says: /flushInterval "fast" is not a duration/,
    fix: /e\.g\. flushInterval: 1s/,
  },
  {
    name: 'an interval out of range',
    text: good().replace('flushInterval: 1s', 'flushInterval: 0s'),
    at: '0s\n',
    says: /out of range: from 1ms to 15m/,
    fix: /flushInterval: 1s/,
  },
  {
    name: 'a sync interval out of range',
    text: good().replace('every: 5m', 'every: 10ms'),
    at: '10ms',
    says: /every "10ms" is out of range/,
    fix: /every: 5m/,
  },
  {
    name: 'an invalid stream name',
    text: good().replace('iot-data-collector', '"iot data collector"'),
    at: '"iot data',
    says: /deliveryStream "iot data collector" is not a Firehose delivery stream name/,
    fix: /iot-data-collector/,
  },
  {
    name: 'a state dir that cannot be written',
    text: good(join(dir, 'afile', 'state')),
    at: `${dir}/afile`,
    says: /cannot keep its state in .*afile is not a folder/,
    fix: /folder this user can write/,
  },
  {
    name: 'two flows on the same file',
    text: good().replace(
      'syncs:',
      `  - { name: more, files: ["${dir}/logs/a.log"], deliveryStream: other }\nsyncs:`,
    ),
    at: '["',
    last: true,
    says: /flows\[1\] "more" and flows\[0\] "readings" would both read .*a\.log/,
    fix: /different files/,
  },
  {
    name: 'two flows with one name',
    text: good().replace(
      'syncs:',
      `  - { name: readings, files: ["${dir}/other/*.log"], deliveryStream: other }\nsyncs:`,
    ),
    at: 'readings',
    last: true,
    says: /has the name "readings" of flows\[0\]/,
    fix: /its own name/,
  },
  {
    name: 'a missing stream',
    text: good().replace('    deliveryStream: iot-data-collector\n', ''),
    at: 'name: readings',
    says: /flows\[0\] lacks "deliveryStream"/,
    fix: /deliveryStream: iot-data-collector/,
  },
  {
    name: 'both profile and role',
    text: good().replace('{ role: target-role-name,', '{ profile: p, role: target-role-name,'),
    at: '{ profile',
    says: /either profile, or role/,
    fix: /credentials: \{ profile/,
  },
  {
    name: 'a duration AWS refuses',
    text: good().replace('sourceProfile: sts_user }', 'sourceProfile: sts_user, durationSeconds: 100 }'),
    at: '100 }',
    says: /durationSeconds must be >= 900/,
    fix: /900 to 43200/,
  },
  {
    name: 'a bad region',
    text: good().replace('cn-northwest-1', 'china'),
    at: 'china',
    says: /region "china" is not/,
    fix: /cn-northwest-1/,
  },
  {
    name: 'metrics open to the network',
    text: good().replace('127.0.0.1:9464', '0.0.0.0:9464'),
    at: '"0.0.0.0',
    says: /not a loopback address/,
    fix: /127\.0\.0\.1:9464/,
  },
  {
    name: 'a sync between two folders',
    text: good().replace('"s3://serverless-hands-on/rclone_copy/"', '/tmp/copy'),
    at: '/tmp/copy',
    says: /Both paths are local/,
    fix: /s3:\/\/|rsync/,
  },
  {
    name: 'a bad start pattern',
    text: good().replace(
      '    flushInterval: 1s',
      '    flushInterval: 1s\n    format: { multiline: { startPattern: "(" } }',
    ),
    at: '"("',
    says: /startPattern is not a regular expression/,
    fix: /regular expression/,
  },
  {
    name: 'a bad size',
    text: good().replace('maxBytes: 1GiB', 'maxBytes: lots'),
    at: 'lots',
    says: /"lots" is not a size/,
    fix: /1GiB/,
  },
  {
    name: 'YAML that does not parse',
    text: good().replace('region: cn-northwest-1', 'region: [cn-northwest-1'),
    at: 'stateDir',
    says: /./,
    fix: /Correct the YAML/,
  },
  {
    name: 'a tab for indentation',
    text: good().replace('    deliveryStream', '\tdeliveryStream'),
    at: '\tdelivery',
    says: /Tabs/i,
    fix: /indent with spaces/,
  },
  {
    name: 'a key given twice',
    text: good() + 'region: us-east-1\n',
    at: 'region',
    last: true,
    says: /unique/,
    fix: /Correct the YAML/,
  },
];

describe('agent check', () => {
  it('prints the plan of a good config and exits 0, writing nothing', async () => {
    const result = await check(good());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('credentials: role target-role-name assumed with profile sts_user');
    expect(result.stdout).toMatch(
      /flow readings: .*\(1 file now\) -> Firehose iot-data-collector; lines, startAt end/,
    );
    expect(result.stdout).toContain('sync uploads:');
    expect(result.stdout).toContain('spool: up to 1 GiB');
    expect(result.stdout).toContain('http: http://127.0.0.1:9464/health and /metrics');
  });

  it.each(BAD)(
    '$name: exit 2, file:line:column and the fix, nothing written',
    async ({ text, at, last, says, fix }) => {
      const result = await check(text);
      expect(result.code).toBe(2);
      const [first, fixLine] = result.stderr.split('\n');
      expect(first).toMatch(new RegExp(`^agent\\.yaml:${place(text, at, last)}: `));
      expect(first).toMatch(says);
      expect(fixLine).toMatch(/^ {2}fix: /);
      expect(fixLine).toMatch(fix);
    },
  );

  it('a JSON config gets positions too', async () => {
    const json = JSON.stringify(
      { credentials: { profile: 'p' }, flows: [{ name: 'a', files: ['/x'] }] },
      null,
      2,
    );
    const result = await check(json, 'agent.json');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^agent\.json:6:5: flows\[0\] lacks "deliveryStream"/);
  });

  it('lists every issue, in the order of the file', async () => {
    const text = good()
      .replace('flushInterval: 1s', 'flushInterval: 0s')
      .replace('0.0.0.0', '127.0.0.1')
      .replace('127.0.0.1:9464', '0.0.0.0:9464');
    const result = await check(text);
    expect(result.code).toBe(2);
    const places = result.stderr.split('\n').filter((l) => l.startsWith('agent.yaml:'));
    expect(places.map((l) => l.split(': ')[0])).toEqual(['agent.yaml:8:20', 'agent.yaml:12:17']);
  });

  it('warns when the state dir is on a tmpfs', async () => {
    const result = await check(good('/dev/shm/tempcreds-agent-check'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stateDir: \/dev\/shm\/tempcreds-agent-check \(warning: on a tmpfs/);
  });

  it('run refuses a bad config the same way (exit 2) and writes no state', async () => {
    const file = join(dir, 'bad-run.yaml');
    await writeFile(file, good().replace('flushInterval: 1s', 'flushInterval: 0s'));
    const result = await runCli(['agent', 'run', '--config', file], { env: home.env(), cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bad-run\.yaml:8:20: flushInterval "0s" is out of range/);
    expect(await readdir(dir)).not.toContain('state');
  });

  it('needs --config', async () => {
    const result = await runCli(['agent', 'check'], { env: home.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--config is required');
  });
});

describe('agent systemd-unit', () => {
  it('prints a hardened unit that systemd-analyze accepts', async () => {
    const file = join(dir, 'unit.yaml');
    await writeFile(file, good());
    const result = await runCli(['agent', 'systemd-unit', '--config', file], { env: home.env(), cwd: dir });
    expect(result.code).toBe(0);
    const unit = result.stdout;
    for (const line of [
      'Restart=always',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ExecReload=/bin/kill -HUP $MAINPID',
    ]) {
      expect(unit).toContain(line);
    }
    expect(unit).toMatch(new RegExp(`^ReadWritePaths=-${dir}/state -${dir}/logs -${dir}/out$`, 'm'));
    const execStart = new RegExp(
      `^ExecStart=(${process.execPath} ${AGENT_NODE_FLAGS.join(' ')} \\S+/bin/tempcreds\\.cjs) agent run --config ${file}$`,
      'm',
    ).exec(unit);
    expect(execStart).not.toBeNull();
    // The line as systemd runs it (with check for run: no AWS here): node takes the flags.
    const [node, ...args] = execStart![1]!.split(' ');
    const started = spawnSync(node!, [...args, 'agent', 'check', '--config', file], {
      env: home.env(),
      cwd: dir,
      encoding: 'utf8',
    });
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
    expect(started.stdout).toContain('iot-data-collector');
    expect(unit).toContain(`Environment=AWS_CONFIG_FILE=${home.configFile}`);
    const unitFile = join(dir, 'tempcreds-agent.service');
    await writeFile(unitFile, unit);
    await chmod(unitFile, 0o644);
    const verify = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    if (verify.error) return; // no systemd-analyze on this machine
    expect(
      verify.stderr
        .split('\n')
        .filter((l) => l.includes('tempcreds-agent.service') && !/network-online|Unit .* not found/.test(l)),
    ).toEqual([]);
  });

  it('uses StateDirectory= for a state dir under /var/lib', async () => {
    const file = join(dir, 'unit-varlib.yaml');
    await writeFile(file, good('/var/lib/tempcreds/agent'));
    const result = await runCli(['agent', 'systemd-unit', '--config', file], { env: home.env(), cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('StateDirectory=tempcreds/agent\nStateDirectoryMode=0700');
  });
});
