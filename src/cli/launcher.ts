import { realpathSync } from 'node:fs';

/** How the AWS CLI should start this tempcreds (credential_process): absolute node and launcher, wherever it runs from. */
export function launcher(): string[] {
  const script = process.argv[1] ? realpathSync(process.argv[1]) : 'tempcreds';
  return [process.execPath, script];
}
