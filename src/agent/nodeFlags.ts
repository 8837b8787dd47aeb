/**
 * The Node.js flags `tempcreds agent run` is meant to run with, placed before the script
 * (`node --max-semi-space-size=8 /path/to/bin/tempcreds.cjs agent run --config F`), or in
 * `NODE_OPTIONS` where the agent is started through the `tempcreds` shim.
 *
 * @remarks
 * V8 sizes its young generation for the allocation rate, and the agent allocates fast (every record
 * is a Buffer read from SQLite and a base64 string in a JSON body): on Node 20 (64-bit) its two
 * semi-spaces grow to 16 MiB each, and the last step, from 8 to 16, comes within the first minute of
 * a run and adds some 15 MiB of RSS that is not the agent's data. Capped at 8 MiB they have their size
 * within 10 s, and the RSS moves by a few MiB after that, at the same records/s (figures in
 * bench/README.md). Smaller is not better: at 4 MiB the RSS is lower but its young generation was
 * still growing after 10 s in one run of two, and at 1 or 2 MiB scavenges come so often that
 * records still waiting for their batch survive them and are promoted, and the old space grows by
 * 20 MiB before its first full collection. The heap is configured when the process starts, so the
 * flag must be on the command line or in NODE_OPTIONS (`v8.setFlagsFromString` at run time has no
 * effect). Without it the agent runs the same, with a larger but bounded RSS.
 */
export const AGENT_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=8']);
