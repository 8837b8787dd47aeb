import { readFile } from 'node:fs/promises';
import { usageError } from '../errors.js';
import { fsError } from './fsErrors.js';
import { parseIni, type IniDocument } from './ini.js';

/**
 * The text of a config or credentials file, `''` when it does not exist (the AWS CLI treats a
 * missing file as empty). Bytes that are not UTF-8 are refused rather than replaced, so a
 * later write cannot silently change them.
 */
export async function readIniText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw fsError(err, path, 'read');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw usageError(
      `${path} is not UTF-8 text.`,
      'Save it as UTF-8 (ASCII is fine); tempcreds never rewrites a file it cannot read.',
    );
  }
}

/**
 * Reads and parses a config or credentials file with {@link parseIni}. A missing file is an empty
 * document; bytes that are not UTF-8 throw a usage error rather than being replaced, so a later
 * write cannot silently change them.
 */
export async function readIniFile(path: string): Promise<IniDocument> {
  return parseIni(await readIniText(path), path);
}
