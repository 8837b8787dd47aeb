/**
 * A writer caught holding the lock: takes the lock of a file, says "locked" and waits to be
 * killed (the crash tests send SIGKILL, as the OOM killer or a closed laptop lid would).
 * Usage: node lockHolderChild.js FILE
 */
import { lockFile } from '../../../src/config/fileLock.js';

await lockFile(process.argv[2] ?? '');
process.stdout.write('locked\n');
setInterval(() => undefined, 60_000);
