import { link, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFailedFilePath, openFailedFile } from '../../../src/firehose/failedFile.js';
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

  it('marks the records whose answer was lost, and only those', async () => {
    const path = join(dir(), 'marked.jsonl');
    const file = await openFailedFile(path);
    await file.write([
      { data: Buffer.from('a'), errorCode: 'ECONNRESET', status: 'unknown' },
      { data: Buffer.from('b'), errorCode: 'ServiceUnavailableException', status: 'refused' },
      { data: Buffer.from('c'), errorCode: 'Interrupted', status: 'notSent' },
    ]);
    await file.close();
    expect(await readFile(path, 'utf8')).toBe(
      '{"Data":"YQ==","Outcome":"unknown"}\n{"Data":"Yg=="}\n{"Data":"Yw=="}\n',
    );
    const back = await collect(readRecords(fileChunks(path), { format: 'records-jsonl' }));
    expect(back.map((b) => Buffer.from(b).toString())).toEqual(['a', 'b', 'c']);
  });

  it('refuses the input itself, by identity: the path, a symlink, a hard link; and leaves it untouched', async () => {
    const input = join(dir(), 'input.jsonl');
    await writeFile(input, '{"Data":"YQ=="}\n');
    const identity = await stat(input);
    const viaSymlink = join(dir(), 'via-symlink.jsonl');
    const viaLink = join(dir(), 'via-link.jsonl');
    await symlink(input, viaSymlink);
    await link(input, viaLink);
    for (const path of [input, viaSymlink, viaLink]) {
      const options = { notSameAs: identity, inputName: 'input.jsonl' };
      const refusal = {
        kind: 'usage',
        message: `The failed-records file ${path} is input.jsonl, the file being sent: it would be emptied before it is read.`,
      };
      await expect(checkFailedFilePath(path, options)).rejects.toMatchObject(refusal);
      await expect(openFailedFile(path, options)).rejects.toMatchObject(refusal);
    }
    expect(await readFile(input, 'utf8')).toBe('{"Data":"YQ=="}\n');
    await expect(
      checkFailedFilePath(join(dir(), 'not-yet.jsonl'), { notSameAs: identity }),
    ).resolves.toBeUndefined();
  });

  it('says a folder is a folder', async () => {
    await expect(openFailedFile(dir())).rejects.toMatchObject({
      kind: 'usage',
      message: `Cannot write the failed-records file ${dir()}: it is a folder.`,
    });
  });
});
