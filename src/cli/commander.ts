import { createRequire } from 'node:module';
import type * as Commander from 'commander';

/**
 * commander, loaded with require(): its ESM entry only wraps the CommonJS build, and importing that
 * from ESM costs every command about 10 ms more (Node scans the file for its export names first).
 */
export const commander = createRequire(import.meta.url)('commander') as typeof Commander;
