import { describe, expect, it } from 'vitest';
import { browserCommands } from '../../../src/console/browser.js';

const URL = 'http://127.0.0.1:4321/abc';

describe('browserCommands', () => {
  it.each([
    ['linux', { command: 'xdg-open', args: [URL] }],
    ['darwin', { command: 'open', args: [URL] }],
    ['win32', { command: 'rundll32', args: ['url.dll,FileProtocolHandler', URL] }],
  ] as const)('without BROWSER on %s: the system opener', (platform, expected) => {
    expect(browserCommands(URL, {}, platform)).toEqual([expected]);
  });

  it.each<[string, Array<{ command: string; args: string[] }>]>([
    ['firefox', [{ command: 'firefox', args: [URL] }]],
    ['firefox --new-window', [{ command: 'firefox', args: ['--new-window', URL] }]],
    ['firefox %s --private', [{ command: 'firefox', args: [URL, '--private'] }]],
    [
      'w3m:lynx',
      [
        { command: 'w3m', args: [URL] },
        { command: 'lynx', args: [URL] },
      ],
    ],
    [
      '  chromium  :: lynx ',
      [
        { command: 'chromium', args: [URL] },
        { command: 'lynx', args: [URL] },
      ],
    ],
    ['echo 100%%', [{ command: 'echo', args: ['100%', URL] }]],
    ['echo %%s', [{ command: 'echo', args: ['%s', URL] }]],
    ['b --url=%s', [{ command: 'b', args: [`--url=${URL}`] }]],
  ])('BROWSER=%j', (browser, expected) => {
    expect(browserCommands(URL, { BROWSER: browser }, 'linux')).toEqual(expected);
  });

  it('an empty or blank BROWSER is as none', () => {
    expect(browserCommands(URL, { BROWSER: '' }, 'linux')).toEqual([{ command: 'xdg-open', args: [URL] }]);
    expect(browserCommands(URL, { BROWSER: ' : ' }, 'linux')).toEqual([{ command: 'xdg-open', args: [URL] }]);
  });

  it('on Windows the list is separated by ";" (":" is in C:\\ paths)', () => {
    expect(browserCommands(URL, { BROWSER: 'C:\\b\\firefox.exe;edge' }, 'win32')).toEqual([
      { command: 'C:\\b\\firefox.exe', args: [URL] },
      { command: 'edge', args: [URL] },
    ]);
  });

  it('a URL with % in it is put in as it is, not expanded again', () => {
    const odd = 'http://127.0.0.1:1/%s%%';
    expect(browserCommands(odd, { BROWSER: 'b %s' }, 'linux')).toEqual([{ command: 'b', args: [odd] }]);
  });
});
