import { describe, expect, it } from 'vitest';
import { defaultSessionName, validateSessionName } from '../../../src/credentials/sessionName.js';

describe('session names', () => {
  it.each(['ab', 'role-name-session1', 'a.b@c=d,e+f_g-h', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(validateSessionName(name)).toBe(name);
  });
  it.each(['a', 'x'.repeat(65), 'has space', 'semi;colon', 'slash/no', 'ünïcode', ''])(
    'refuses %j',
    (name) => {
      expect(() => validateSessionName(name)).toThrow(/2-64 characters/);
    },
  );
  it('defaults to tempcreds-<user>-<unix seconds>, valid even for odd user names', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    expect(defaultSessionName(now, 'alice')).toBe('tempcreds-alice-1795867200');
    const odd = defaultSessionName(now, 'DOMAIN\\Jöhn Doe');
    expect(odd).toBe('tempcreds-DOMAIN-J-hn-Doe-1795867200');
    expect(validateSessionName(defaultSessionName(now, 'u'.repeat(200)))).toHaveLength(10 + 40 + 1 + 10);
    expect(defaultSessionName(now, '')).toBe('tempcreds-user-1795867200');
  });
});
