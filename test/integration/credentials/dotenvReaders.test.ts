/**
 * `--format dotenv` read back by the readers people use: python-dotenv and the `dotenv` npm package
 * (the real ones), systemd's `EnvironmentFile=` (its rules from systemd.exec(5) as an oracle, checked
 * against systemd's own environment.d generator, which parses the same syntax but also expands `$`),
 * and `docker --env-file` (no daemon here: its documented rules as an oracle). What each gets:
 * every value tempcreds writes reads back exactly in python-dotenv, npm dotenv and systemd; docker
 * takes a line as it is, so it agrees exactly on bare values (every key, token, time and region AWS
 * issues) and sees the quotes of a quoted one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as npmDotenv } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsEnv,
  formatCredentials,
  type AssumedRoleOutput,
} from '../../../src/credentials/exportFormats.js';
import { TempcredsError } from '../../../src/errors.js';

const GENERATOR = '/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator';

/** Values to carry; those the format refuses are listed in REFUSED. */
const VALUES = [
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+/=',
  'IQoJb3JpZ2luX2VjEXAMPLE+TOKEN/abc==',
  '2026-02-25T06:03:31Z',
  'cn-northwest-1',
  '',
  "it's",
  "''",
  'with  spaces ',
  ' lead',
  '$HOME $(id) $1 $@ $$',
  '`id` (id)',
  '%PATH% !! ^&|<>;',
  'C:\\temp',
  '\\x',
  'a\\b \\n \\t \\x41 \\0',
  'say "hi"; rm -rf ~',
  '"quoted"',
  '#not a comment',
  'a #b',
  'a=b=c',
  '* ? [ab] {a,b} ~',
  'pässwörd 🔑 日本 Ωμέγα',
  '‘a’ ‚b‛ “c” „d‟',
  '\u2028\u2029\u00a0\u200b',
  "it's 100%",
];
const REFUSED = [
  'C:\\temp\\',
  '\\',
  "it's $5",
  '${HOME}',
  'a${x}b',
  "it's \\ x",
  `it's "x"`,
  'a\\\\b',
  'a\nb',
  'a\rb',
  'a\tb',
  'a\u0000b',
];

function outputFor(value: string): AssumedRoleOutput {
  return {
    credentials: {
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      secretAccessKey: value,
      sessionToken: `${value}X${value}`,
      expiration: new Date('2026-02-25T06:03:31Z'),
    },
    assumedRoleUser: { assumedRoleId: 'AROAEXAMPLE:s', arn: 'arn:aws:sts::111122223333:assumed-role/r/s' },
    region: 'cn-northwest-1',
  };
}

/** systemd.exec(5), EnvironmentFile=: one assignment per line (our files have no continuations). */
export function systemdEnvironmentFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/^[ \t\r]+/, '');
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';') || !trimmed.includes('='))
      continue;
    const eq = trimmed.indexOf('=');
    const name = trimmed.slice(0, eq).trim();
    const raw = trimmed.slice(eq + 1).replace(/^[ \t\r]+/, '');
    vars[name] = systemdValue(raw);
  }
  return vars;
}

function systemdValue(raw: string): string {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    if (end === -1) throw new Error('unterminated single quote');
    return raw.slice(1, end); // verbatim, no escapes
  }
  if (raw.startsWith('"')) {
    let value = '';
    for (let i = 1; i < raw.length; i += 1) {
      const c = raw[i]!;
      if (c === '"') return value;
      if (c === '\\' && i + 1 < raw.length) {
        const next = raw[(i += 1)]!;
        value += '"\\`$'.includes(next) ? next : `\\${next}`;
      } else value += c;
    }
    throw new Error('unterminated double quote');
  }
  // Unquoted: a backslash keeps the next character; trailing whitespace is dropped.
  return raw.replace(/\\(.)/g, '$1').replace(/[ \t\r]+$/, '');
}

/** docker run --env-file: leading whitespace trimmed, `#` lines skipped, the rest after `=` taken as it is. */
export function dockerEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/^\s+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    vars[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return vars;
}

/** What systemd's environment.d generator prints: `NAME=value`, quoted as a shell word when needed. */
function generatorValues(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.split('\n').filter(Boolean)) {
    const eq = line.indexOf('=');
    const raw = line.slice(eq + 1);
    vars[line.slice(0, eq)] = raw.startsWith('"') ? systemdValue(raw) : raw;
  }
  return vars;
}

let dir: string;
const files = new Map<string, string>();
let python: Array<Record<string, string | null>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempcreds-dotenv-'));
  const paths: string[] = [];
  for (const [i, value] of VALUES.entries()) {
    const path = join(dir, `${i}.env`);
    const text = formatCredentials('dotenv', outputFor(value));
    files.set(value, text);
    await writeFile(path, text);
    paths.push(path);
  }
  const probe = spawnSync('python3', ['-c', 'import dotenv']);
  if (probe.status !== 0) throw new Error('python-dotenv is not installed: pip install python-dotenv');
  const script =
    'import json,sys\nfrom dotenv import dotenv_values\nprint(json.dumps([dotenv_values(p) for p in json.load(sys.stdin)]))';
  python = JSON.parse(
    execFileSync('python3', ['-c', script], {
      input: JSON.stringify(paths),
      env: { PATH: process.env.PATH, HOME: '/nonexistent-home' },
    }).toString(),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(VALUES.map((v, i) => [JSON.stringify(v), v, i] as const))(
  'dotenv value %s',
  (_label, value, index) => {
    const expected = () => credentialsEnv(outputFor(value));

    it('python-dotenv reads it exactly (with interpolation on, its default)', () => {
      expect(python[index]).toEqual(expected());
    });

    it('the dotenv npm package reads it exactly', () => {
      expect(npmDotenv(files.get(value)!)).toEqual(expected());
    });

    it('systemd EnvironmentFile= reads it exactly', () => {
      expect(systemdEnvironmentFile(files.get(value)!)).toEqual(expected());
    });

    it("systemd's own parser agrees (environment.d generator; it also expands $, so values without it)", async () => {
      if (!existsSync(GENERATOR)) throw new Error(`${GENERATOR} is missing: apt-get install systemd`);
      if (value.includes('$')) return; // environment.d expands $NAME, EnvironmentFile= does not
      const config = join(dir, `xdg-${index}`);
      await mkdir(join(config, 'environment.d'), { recursive: true });
      await writeFile(join(config, 'environment.d', 'tempcreds.conf'), files.get(value)!);
      const out = execFileSync(GENERATOR, {
        env: { XDG_CONFIG_HOME: config, HOME: '/nonexistent-home' },
      }).toString();
      const got = generatorValues(out);
      // environment.d drops a variable set to nothing, where EnvironmentFile= keeps it empty.
      for (const [name, v] of Object.entries(expected())) if (v !== '') expect(got[name], name).toBe(v);
    });

    it('docker --env-file reads it exactly when it is bare, and with its quotes when it is not', () => {
      const got = dockerEnvFile(files.get(value)!);
      const lines = files.get(value)!.split('\n');
      for (const [name, v] of Object.entries(expected())) {
        const line = lines.find((l) => l.startsWith(`${name}=`))!;
        const bare = line === `${name}=${v}`;
        expect(got[name], name).toBe(bare ? v : line.slice(name.length + 1));
        if (/^[A-Za-z0-9+/=._:@,-]*$/.test(v)) expect(bare, `${name} should be bare`).toBe(true);
      }
    });
  },
);

describe('values no quoting carries for every reader are refused, never written approximately', () => {
  it.each(REFUSED.map((v) => [JSON.stringify(v), v]))('%s', (_label, value) => {
    expect(() => formatCredentials('dotenv', outputFor(value))).toThrow(TempcredsError);
  });
});
