/**
 * Which command opens a URL in the user's browser: the `BROWSER` convention (a list of commands
 * separated by `:`, tried in order; `%s` in a command is replaced by the URL, `%%` is a `%`, and a
 * command without `%s` gets the URL as its last argument; words split on white space, as xdg-open
 * splits them, no shell), else the system's opener. Pure.
 */

/** One way to open a URL: a program and its arguments, the URL among them. */
export interface BrowserCommand {
  /** The program: a path, or a name looked up in PATH. */
  command: string;
  /** Its arguments, the URL among them. */
  args: string[];
}

/** The commands to try, in order, to open `url`. */
export function browserCommands(
  url: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): BrowserCommand[] {
  const fromEnv = (env.BROWSER ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .map((entry) => entry.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0)
    .map((words) => withUrl(words, url));
  return fromEnv.length > 0 ? fromEnv : [systemOpener(url, platform)];
}

function withUrl(words: string[], url: string): BrowserCommand {
  const placed = words.some((word) => /%s/.test(word.replace(/%%/g, '')));
  const filled = words.map((word) => word.replace(/%%|%s/g, (m) => (m === '%%' ? '%' : url)));
  const [command, ...args] = filled as [string, ...string[]];
  return { command, args: placed ? args : [...args, url] };
}

function systemOpener(url: string, platform: NodeJS.Platform): BrowserCommand {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is a cmd.exe built-in with quoting rules of its own; this takes the URL as it is.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}
