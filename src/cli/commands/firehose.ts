import type { Command } from 'commander';
import { commander } from '../commander.js';
import { DEFAULT_MAX_ATTEMPTS, FIREHOSE_CONCURRENCY } from '../../firehose/limits.js';
import { action } from '../action.js';
import {
  addRoleOptions,
  awsContextFor,
  flagContext,
  parseCredentialsChoice,
  type CommandContext,
} from '../context.js';
import { parseFirehosePutInput, type PutFlags } from '../firehoseInput.js';
import { firehoseOutput } from '../firehoseOutput.js';
import { dieOfSigint, interruptions } from '../interruptions.js';
import type { RegisterCommand } from '../command.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function firehosePut(
  ctx: CommandContext,
  stream: string,
  operand: string | undefined,
  flags: PutFlags,
): Promise<number> {
  const request = parseFirehosePutInput(stream, flags, operand);
  const credentials = parseCredentialsChoice(flags, flagContext(ctx));
  const { putRecordsFrom } = await import('../../firehose/put.js');
  const { createFirehoseClient } = await import('../../firehose/client.js');
  const out = firehoseOutput(ctx, request);
  // Listening from the first record sent on: a Ctrl-C before (an MFA prompt, a scan) ends the process.
  const signals = interruptions({
    deferred: true,
    onStop: out.onStop,
    forceExit: () => {
      out.onForceExit();
      dieOfSigint();
    },
  });
  try {
    const result = await putRecordsFrom(request, {
      stdin: ctx.io.stdin,
      client: async () => createFirehoseClient(await awsContextFor(ctx, credentials)),
      stopSignal: signals.stop,
      signal: signals.abort,
      onStart: (source) => {
        out.start(source);
        signals.listen();
      },
      onProgress: out.progress,
      onConcurrency: out.concurrency,
    });
    return out.report(result, signals.stop.aborted);
  } finally {
    signals.dispose();
    out.done();
  }
}

export const registerFirehose: RegisterCommand = (program: Command, io, setExitCode) => {
  const firehose = program
    .command('firehose')
    .description('send records to an Amazon Data Firehose delivery stream');
  addRoleOptions(
    firehose
      .command('put <stream> [-]')
      .description(
        'send records in PutRecordBatch calls, retrying throttled and failed ones; - reads stdin (as --file -)',
      ),
  )
    .option('--record <json>', 'a record as AWS CLI v2 takes it: {"Data":"<base64>"} (repeatable)', collect)
    .option('--data <text>', 'a record from text, sent as its UTF-8 bytes (repeatable)', collect)
    .option('--data-base64 <b64>', 'a record from base64 (repeatable)', collect)
    .option('--file <path>', 'send the records of a file; - reads stdin')
    .option('--lines', 'one record per line, without its newline; empty lines are skipped (default)')
    .option('--whole', 'the whole file is one record')
    .option('--records-jsonl', 'one {"Data":"<base64>"} per line: the form --failed-file writes')
    .option('--append-newline', 'add a newline to every record (Firehose adds no delimiter)')
    .option(
      '--failed-file <path>',
      'write records not delivered (failed, unknown, or not sent when stopped) here, for --records-jsonl',
    )
    .option(
      '--flush-interval <duration>',
      'send a partial batch this long after its first record while input stays open: 500ms, 2s, 1m (default 1s)',
    )
    .option(
      '--concurrency <n>',
      `batches in flight at once, 1 to ${FIREHOSE_CONCURRENCY.max} (default: fitted to the link, from ${FIREHOSE_CONCURRENCY.initial})`,
    )
    .option(
      '--max-attempts <n>',
      `calls per batch before its records count as failed (default ${DEFAULT_MAX_ATTEMPTS})`,
    )
    .addOption(
      new commander.Option('--max-batch-records <n>', 'records per call, at most 500 (tests)').hideHelp(),
    )
    .addOption(
      new commander.Option(
        '--pause-ms <ms>',
        'wait before every call (tests that outlast sessions)',
      ).hideHelp(),
    )
    .action(action(io, setExitCode, firehosePut));
};
