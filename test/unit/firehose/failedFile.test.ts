import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFailedFile } from '../../../src/firehose/failedFile.js';
import { fileChunks, readRecords } from '../../../src/firehose/sources.js';
import { collect, useTempDir } from './helpers.js';

describe('failed-records file', () => {
  const dir = useTempDir('tempcreds-fh-failed-');

  it('round-trips records with newlines, CR, empty and binary bytes through --records-jsonl', async () => {
    const path = join(dir(), 'failed.jsonl');
    const records = [
      Buffer.from('plain'),
      Buffer.from('two\nlines\r\n'),
      Buffer.from(''),
      Buffer.from([0, 255, 10, 13, 34, 92]),
      Buffer.from('ünïcødé €\n'),
    ];
    const file = await openFailedFile(path);
    await file.write(records.slice(0, 2).map((data) => ({ data, errorCode: 'ServiceUnavailableException' })));
    await file.write(records.slice(2).map((data) => ({ data, errorCode: 'InternalFailure' })));
    await file.close();
    expect(file.count).toBe(5);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(6);
    expect(text.split('\n')[0]).toBe('{"Data":"cGxhaW4="}');
    const back = await collect(readRecords(fileChunks(path), { format: 'records-jsonl' }));
    expect(back.map((b) => [...b])).toEqual(records.map((r) => [...r]));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('empties a file left by an earlier run before anything is sent', async () => {
    const path = join(dir(), 'old.jsonl');
    await writeFile(path, '{"Data":"b2xk"}\n');
    const file = await openFailedFile(path);
    await file.close();
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('fails as bad input when the path cannot be written', async () => {
    await expect(openFailedFile(join(dir(), 'no', 'such', 'dir.jsonl'))).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^Cannot write the failed-records file/),
    });
  });
});
