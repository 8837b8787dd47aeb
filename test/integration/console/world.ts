/**
 * The console tests' world: the runbook fixture behind the AWS-fidelity proxy, a federation
 * endpoint beside it, and a test browser (test/support/children/browser.mjs) given through BROWSER
 * that records where the one-shot link took it.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { consoleHosts } from '../../../src/console/hosts.js';
import { partitionOfRegion } from '../../../src/aws/partition.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { startFederation, type FederationServer } from '../../support/federation.js';
import { startRunbookFixture, type RunbookFixture, type WorldOptions } from '../../support/world.js';

export const BROWSER_SCRIPT = resolve(import.meta.dirname, '../../support/children/browser.mjs');

/** What the test browser saw. */
export interface BrowserRecord {
  argv: string[];
  hops: Array<{ url: string; status?: number; location?: string | null; body?: string; error?: string }>;
  cmdline: { signinUrl?: number[]; signinToken?: number[]; localUrl?: number[]; read?: number };
}

export interface ConsoleWorld {
  fixture: RunbookFixture;
  federation: FederationServer;
  consoleHost: string;
  /** `tempcreds console ARGS` with the test browser; its record when it ran. */
  console(args: string[], env?: NodeJS.ProcessEnv): Promise<{ result: CliResult; record?: BrowserRecord }>;
  /** Every file under the temporary HOME, as text. */
  homeFiles(): Promise<Array<{ path: string; text: string }>>;
  stop(): Promise<void>;
}

export async function startConsoleWorld(region: string, world: WorldOptions = {}): Promise<ConsoleWorld> {
  const fixture = await startRunbookFixture({
    region,
    proxy: true,
    world: { maxSessionDuration: 43_200, ...world },
  });
  const consoleHost = consoleHosts(partitionOfRegion(region)).console;
  const proxy = fixture.proxy!;
  const federation = await startFederation({
    stsEndpoint: proxy.endpoint,
    region,
    consoleHost,
    issued: (id) => proxy.issued(id),
  });
  const records = await mkdtemp(join(tmpdir(), 'tempcreds-browser-'));
  let runs = 0;
  return {
    fixture,
    federation,
    consoleHost,
    async console(args, env = {}) {
      const file = join(records, `record-${++runs}.json`);
      const result = await runCli(['console', ...args], {
        env: fixture.env({
          BROWSER: `${process.execPath} ${BROWSER_SCRIPT} %s`,
          BROWSER_RECORD: file,
          TEMPCREDS_FEDERATION_URL: federation.url,
          ...env,
        }),
      });
      const text = result.code === 0 && !args.includes('--print') ? await recordOf(file) : undefined;
      return { result, record: text === undefined ? undefined : (JSON.parse(text) as BrowserRecord) };
    },
    homeFiles: () => filesUnder(fixture.home.home),
    async stop() {
      await federation.stop();
      await fixture.stop();
      await rm(records, { recursive: true, force: true });
    },
  };
}

/** The browser's record: it may still be on its way when tempcreds has ended (it does not wait for it). */
async function recordOf(file: string): Promise<string | undefined> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push({ path, text: await readFile(path, 'latin1') });
  }
  return out;
}
