import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentConfig,
  flowYaml,
  startAgent,
  startAgentWorld,
  waitFor,
  writeConfig,
  type AgentWorld,
} from './agentWorld.js';

let world: AgentWorld;
beforeAll(async () => {
  world = await startAgentWorld();
});
afterAll(async () => {
  await world?.stop();
});

describe('agent run', () => {
  it('ships appended lines and stops with exit 0', async () => {
    const { dir, logs, state } = await world.folder();
    const file = join(logs, 'a.log');
    await appendFile(file, 'one\ntwo\n');
    const config = await writeConfig(
      dir,
      agentConfig({ endpoint: world.aws.endpoint, state, flows: flowYaml([join(logs, '*.log')]) }),
    );
    const agent = await startAgent(config, world.env);
    await appendFile(file, 'three\nfour');
    await waitFor('3 lines', async () => (await world.deliveredLines()).length >= 3);
    await appendFile(file, '\n');
    await waitFor('4 lines', async () => (await world.deliveredLines()).length >= 4);
    expect((await world.deliveredLines()).sort()).toEqual(['four', 'one', 'three', 'two']);
    expect(await agent.stop()).toBe(0);
  });
});
