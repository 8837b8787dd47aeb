import type { Command } from 'commander';
import type { ProfileListing } from '../../credentials/profileList.js';
import { shownName } from '../../config/shown.js';
import { action } from '../action.js';
import { aligner, timeLeft } from '../format.js';
import type { RegisterCommand } from '../command.js';

export const registerProfiles: RegisterCommand = (program: Command, io, setExitCode) => {
  program
    .command('profiles')
    .description('every profile of both AWS files: its kind, source chain, role and region (never a secret)')
    .action(
      action(io, setExitCode, async (ctx) => {
        const { readProfileList } = await import('../../credentials/profileList.js');
        const profiles = await readProfileList(ctx.files);
        io.stdout.write(
          ctx.output === 'json' ? JSON.stringify(profiles, null, 2) + '\n' : profilesText(profiles),
        );
      }),
    );
};

/** Aligned columns: name, kind, region, then the role, its source chain, the expiry, or why it is broken. */
export function profilesText(profiles: ProfileListing[], now: Date = new Date()): string {
  if (profiles.length === 0) return 'No profiles in the AWS config and credentials files.\n';
  const rows = [
    ['NAME', 'KIND', 'REGION', 'DETAILS'],
    ...profiles.map((p) => [plainName(p.name), p.kind, p.region ?? '-', details(p, now)]),
  ];
  const line = aligner(rows, '');
  return rows.map((row) => line(row).trimEnd() + '\n').join('');
}

/** A name as typed in `--profile NAME` when it is plain, else quoted with its escapes. */
function plainName(name: string): string {
  return /^[\x21-\x7e]+$/.test(name) && !name.startsWith('"') ? name : shownName(name);
}

function details(p: ProfileListing, now: Date): string {
  const parts: string[] = [];
  if (p.roleArn) parts.push(p.roleArn);
  if (p.chain)
    parts.push(`via ${p.chain.map(plainName).join(' -> ')}${p.sourceKind ? ` (${p.sourceKind})` : ''}`);
  if (p.credentialSource) parts.push(`credential_source ${p.credentialSource}`);
  if (p.webIdentityTokenFile) parts.push(`web identity ${p.webIdentityTokenFile}`);
  if (p.ssoAccountId || p.ssoRoleName)
    parts.push(`account ${p.ssoAccountId ?? '?'} role ${p.ssoRoleName ?? '?'}`);
  if (p.ssoSession) parts.push(`sso-session ${plainName(p.ssoSession)}`);
  if (p.iotRoleAlias) parts.push(`role alias ${p.iotRoleAlias}`);
  if (p.expiration) parts.push(`until ${p.expiration} (${timeLeft(new Date(p.expiration), now)})`);
  if (p.broken) parts.push(`BROKEN: ${p.broken}`);
  return parts.join('  ');
}
