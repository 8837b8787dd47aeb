// A test browser for BROWSER: opens the URL it is given as a browser would (following the
// redirects of 127.0.0.1 servers only), scans every process's command line while it runs, and
// writes what it saw to $BROWSER_RECORD (outside the HOME under test).
//   node browser.mjs URL
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';

const [url] = process.argv.slice(2);
const record = { argv: process.argv.slice(2), hops: [], cmdline: {} };

/** One request, redirects not followed: the status, Location and the start of the body. */
async function hop(target) {
  try {
    const answer = await fetch(target, { redirect: 'manual' });
    const body = (await answer.text()).slice(0, 300);
    return { url: target, status: answer.status, location: answer.headers.get('location'), body };
  } catch (err) {
    return { url: target, error: err.cause?.code ?? String(err) };
  }
}

/** The pids whose /proc/PID/cmdline contains each needle; and how many were read. */
function scan(needles) {
  const found = Object.fromEntries(needles.map((n) => [n, []]));
  let read = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let text;
    try {
      text = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    read += 1;
    for (const needle of needles) if (text.includes(needle)) found[needle].push(Number(pid));
  }
  return { found, read };
}

const first = await hop(url);
record.hops.push(first);
const signin = first.location;
if (signin) {
  const token = new URL(signin).searchParams.get('SigninToken') ?? '';
  // While the browser (this process) and tempcreds run: who shows the sign-in URL, its token, or the local URL?
  const { found, read } = scan([signin, token, url].filter(Boolean));
  record.cmdline = { signinUrl: found[signin], signinToken: found[token] ?? [], localUrl: found[url], read };
  if (new URL(signin).hostname === '127.0.0.1') record.hops.push(await hop(signin));
}
/**
 * `url` again on a connection of its own: fetch would reuse the first hop's keep-alive socket,
 * which the server closing races with (ECONNRESET or a new connection, refused, by luck).
 */
function hopAgain(target) {
  return new Promise((done) => {
    const req = get(target, { agent: false }, (res) => {
      res.resume();
      done({ url: target, status: res.statusCode, location: res.headers.location ?? null });
    });
    req.on('error', (err) => done({ url: target, error: err.code ?? String(err) }));
  });
}

record.hops.push(await hopAgain(url)); // once more: the one-shot link must be gone
// Whole or not at all: the test waits for the file (tempcreds does not wait for its browser).
writeFileSync(`${process.env.BROWSER_RECORD}.tmp`, JSON.stringify(record, null, 2));
renameSync(`${process.env.BROWSER_RECORD}.tmp`, process.env.BROWSER_RECORD);
