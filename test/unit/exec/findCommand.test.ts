import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommand } from '../../../src/exec/findCommand.js';
import { TempcredsError } from '../../../src/errors.js';

describe('findCommand', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tc-find-'));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'bin', 'adir'));
    await writeFile(join(dir, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(dir, 'bin', 'plain'), 'not executable', { mode: 0o644 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const env = () => ({ PATH: `/nonexistent:${join(dir, 'bin')}` });

  it('finds a name in PATH, and a path from cwd', () => {
    expect(findCommand('tool', env(), '/')).toBe(join(dir, 'bin', 'tool'));
    expect(findCommand('./bin/tool', {}, dir)).toBe(join(dir, 'bin', 'tool'));
    expect(findCommand(join(dir, 'bin', 'tool'), {}, '/')).toBe(join(dir, 'bin', 'tool'));
    expect(findCommand('sh', process.env, '/')).toMatch(/\/sh$/);
  });

  it('an empty PATH entry is the current folder, as execvp has it', () => {
    expect(findCommand('tool', { PATH: ':/nonexistent' }, join(dir, 'bin'))).toBe(join(dir, 'bin', 'tool'));
  });

  it.each([
    ['a missing name', 'no-such-command-xyz'],
    ['a file that is not executable', 'plain'],
    ['a folder', 'adir'],
    ['a missing path', './bin/missing'],
  ])('refuses %s as bad usage', (_what, command) => {
    let caught: unknown;
    try {
      findCommand(command, env(), dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TempcredsError);
    expect((caught as TempcredsError).exitCode).toBe(2);
    expect((caught as TempcredsError).message).toBe(`cannot run ${command}: command not found`);
  });

  it('without PATH, searches /usr/bin:/bin as execvp does', () => {
    expect(findCommand('sh', {}, '/')).toMatch(/^\/(usr\/)?bin\/sh$/);
    expect(() => findCommand('tool', {}, '/')).toThrow(TempcredsError);
  });
});
