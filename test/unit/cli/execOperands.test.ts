/** `exec [ROLE] -- COMMAND`: telling a ROLE from the first word of the command. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { splitExecOperands } from '../../../src/cli/execCredentials.js';

const commandOf = (rawArgs: string[]) => ({ parent: { rawArgs } }) as unknown as Command;

describe('splitExecOperands', () => {
  it.each([
    // argv, commander's role and rest, then what exec means
    [['exec', 'R', '--', 'aws', 'sts'], 'R', ['aws', 'sts'], 'R', ['aws', 'sts']],
    [['exec', '--profile', 'dev', '--', 'aws', 'sts'], 'aws', ['sts'], undefined, ['aws', 'sts']],
    [['exec', '--', 'aws'], 'aws', [], undefined, ['aws']],
    [['exec', 'aws', '--', 'aws'], 'aws', ['aws'], 'aws', ['aws']],
    [['exec', 'R', '--server', '--', 'x', '--', 'y'], 'R', ['x', '--', 'y'], 'R', ['x', '--', 'y']],
    [['exec', '--', 'x', '--', 'y'], 'x', ['--', 'y'], undefined, ['x', '--', 'y']],
    [['exec', 'R', 'cmd'], 'R', ['cmd'], 'R', ['cmd']],
  ] as const)('%j', (argv, role, rest, wantRole, wantCommand) => {
    expect(splitExecOperands(commandOf([...argv]), role, [...rest])).toEqual({
      role: wantRole,
      command: wantCommand,
    });
  });

  it('no operand at all: no role, no command', () => {
    expect(splitExecOperands(commandOf(['exec', '--']), undefined, [])).toEqual({
      role: undefined,
      command: [],
    });
  });
});
