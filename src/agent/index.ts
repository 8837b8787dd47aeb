/** The agent as a library: load and check a config, run it, read a state directory's figures. */
export { runAgent, type RunAgentOptions } from './run.js';
export { loadAgentConfig, type LoadConfigOptions } from './loadConfig.js';
export type { AgentConfig, AgentCredentials, FlowConfig, RecordFormatConfig, SyncConfig } from './config.js';
export type { AgentSessionOptions } from './sessionOptions.js';
export { AgentConfigError, type ConfigIssue } from './configError.js';
export type { AgentEvent } from './events.js';
export type { TailEvent } from './tail.js';
export type { EngineTuning } from './delivery.js';
export { agentStatus, statusLines, type AgentStatus } from './status.js';
export type { AgentFigures, FlowFigures, SyncFigures } from './figures.js';
export type { FlowCounter, FlowSpoolStats, SyncRun } from './spool.js';
export { describePlan } from './plan.js';
export { systemdUnit, type UnitOptions } from './systemdUnit.js';
export { AGENT_NODE_FLAGS } from './nodeFlags.js';
export { defaultStateDir } from './stateDir.js';
