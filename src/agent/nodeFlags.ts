/**
 * The Node.js flags `tempcreds agent run` is meant to run with, placed before the script
 * (`node --max-semi-space-size=4 /path/to/bin/tempcreds.cjs agent run --config F`), or in
 * `NODE_OPTIONS` where the agent is started through the `tempcreds` shim.
 *
 * @remarks
 * V8 sizes its young generation for the allocation rate, and the agent allocates fast (every record
 * is a Buffer read from SQLite and a base64 string in a JSON body): on Node 20 (64-bit) the two
 * semi-spaces grow to 16 MiB each within minutes, about 30 MiB of RSS that is not the agent's data.
 * At 4 MiB the RSS stays flat from the first seconds, at the same records/s (figures in
 * bench/README.md). Smaller is worse: at 1 or 2 MiB scavenges come so often that records still
 * waiting for their batch survive them and are promoted, and the old space grows by 20 MiB
 * before its first full collection. The heap is configured when the process starts, so the flag
 * must be on the command line or in NODE_OPTIONS (`v8.setFlagsFromString` at run time has no
 * effect). Without it the agent runs the same, with a larger but bounded RSS.
 */
export const AGENT_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=4']);
