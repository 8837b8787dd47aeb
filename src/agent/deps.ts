import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type * as Yaml from 'yaml';
import type { Ajv as AjvClass } from 'ajv';
import type * as PromClient from 'prom-client';
import type * as Tinyglobby from 'tinyglobby';
import type Picomatch from 'picomatch';

/*
 * The agent's packages, loaded with require() on first use, as src/aws/sdk.ts loads the SDK: the
 * CLI is one esbuild bundle, which would hoist a static import of a package to its top and make
 * every command pay for SQLite, YAML and the schema validator. test/unit/cli/startup.test.ts checks
 * that a command other than the agent loads none of them.
 */
const require = createRequire(import.meta.url);

export const sqlite = (): typeof BetterSqlite3 => require('better-sqlite3') as typeof BetterSqlite3;
export const yaml = (): typeof Yaml => require('yaml') as typeof Yaml;
export const ajv = (): typeof AjvClass => (require('ajv') as { Ajv: typeof AjvClass }).Ajv;
export const promClient = (): typeof PromClient => require('prom-client') as typeof PromClient;
export const tinyglobby = (): typeof Tinyglobby => require('tinyglobby') as typeof Tinyglobby;
export const picomatch = (): typeof Picomatch => require('picomatch') as typeof Picomatch;
