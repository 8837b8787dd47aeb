/**
 * `tempcreds rotate-key`: a new key for the profile's user, written, verified, and only then the
 * old one deactivated and deleted. Whatever step fails, the profile is left with a working key
 * and the error says exactly what state everything is in.
 */
import { parseArn } from '../aws/arn.js';
import type { AwsContext } from '../aws/clients.js';
import type { AwsFiles } from '../config/paths.js';
import { TempcredsError, usageError } from '../errors.js';
import {
  identityOf,
  readProfileKeys,
  stsForKeys,
  verifyKey,
  writeProfileKeys,
  type KeyPair,
  type Sleep,
  type StsFor,
} from './accessKeys.js';
import { createIamClient, getUser, isNoSuchEntity, listAccessKeys, must, type Iam } from './iamReads.js';
import { iamSdk } from '../aws/sdk.js';

const { CreateAccessKeyCommand, DeleteAccessKeyCommand, UpdateAccessKeyCommand } = iamSdk();

export interface RotateKeyInput {
  sourceProfile: string;
  /** The key's user; default: whoever the profile's key belongs to (GetCallerIdentity). */
  userName?: string;
}

export type RotateKeyEvent =
  | { type: 'created'; accessKeyId: string }
  | { type: 'written'; profile: string; accessKeyId: string }
  | { type: 'verified'; accessKeyId: string }
  | { type: 'deactivated'; accessKeyId: string }
  | { type: 'deleted'; accessKeyId: string };

export interface RotateKeyDeps {
  /** Administrator credentials (iam:CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys). */
  aws: AwsContext;
  files: AwsFiles;
  iam?: Iam;
  stsFor?: StsFor;
  sleep?: Sleep;
  /** Progress; awaited, so a caller may act between steps. */
  onEvent?: (event: RotateKeyEvent) => void | Promise<void>;
}

export interface RotateKeyResult {
  userName: string;
  profile: string;
  oldAccessKeyId: string;
  newAccessKeyId: string;
  /** The old key was deleted (false when it was already gone from IAM). */
  oldKeyDeleted: boolean;
}

function failure(message: string, state: string, cause: unknown, fix?: string): TempcredsError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const kind = cause instanceof TempcredsError ? cause.kind : 'failed';
  return new TempcredsError(`rotate-key ${message} (${reason}). State: ${state}`, { kind, fix, cause });
}

async function whoseKey(input: RotateKeyInput, old: KeyPair, stsFor: StsFor): Promise<string> {
  const identity = await identityOf(stsFor, old);
  const arn = identity && parseArn(identity.arn);
  const owner =
    arn?.service === 'iam' && arn.resource.startsWith('user/') ? arn.resource.split('/').pop() : undefined;
  if (input.userName && owner && owner !== input.userName) {
    throw usageError(
      `Profile ${input.sourceProfile}'s key belongs to user ${owner}, not ${input.userName}.`,
      `Drop --user, or pass the profile of user ${input.userName}.`,
    );
  }
  const userName = input.userName ?? owner;
  if (!userName) {
    throw new TempcredsError(
      `Cannot tell whose key profile ${input.sourceProfile} holds: ${identity ? `it is ${identity.arn}, not an IAM user` : 'AWS does not accept it'}.`,
      {
        kind: 'aws',
        fix: `Pass --user NAME, or make a fresh key with: tempcreds setup --role ROLE --source-profile ${input.sourceProfile}`,
      },
    );
  }
  return userName;
}

export async function rotateKey(input: RotateKeyInput, deps: RotateKeyDeps): Promise<RotateKeyResult> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  const stsFor = deps.stsFor ?? stsForKeys(deps.aws);
  const emit = async (event: RotateKeyEvent) => deps.onEvent?.(event);
  const profile = input.sourceProfile;
  const { keys: old, region } = await readProfileKeys(deps.files, profile);
  if (!old) {
    throw usageError(
      `Profile ${profile} has no access key to rotate.`,
      `Make one with: tempcreds setup --role ROLE --source-profile ${profile}`,
    );
  }
  const userName = await whoseKey(input, old, stsFor);
  const user = await getUser(iam, userName);
  if (!user)
    throw new TempcredsError(`User ${userName} does not exist.`, { kind: 'aws', awsCode: 'NoSuchEntity' });
  const existing = await listAccessKeys(iam, userName);
  const oldInIam = existing.some((k) => k.accessKeyId === old.accessKeyId);
  const others = existing.filter((k) => k.accessKeyId !== old.accessKeyId);
  if (existing.length >= 2) {
    const other = others[0]?.accessKeyId ?? '';
    throw new TempcredsError(
      `User ${userName} already has two access keys (${existing.map((k) => `${k.accessKeyId} ${k.status}`).join(', ')}): there is no room for a new one.`,
      {
        kind: 'aws',
        awsCode: 'LimitExceeded',
        fix: `Delete the one profile ${profile} does not use: aws iam delete-access-key --user-name ${userName} --access-key-id ${other}`,
      },
    );
  }

  const created = await must(`CreateAccessKey ${userName}`, () =>
    iam.send(new CreateAccessKeyCommand({ UserName: userName })),
  );
  const fresh: KeyPair = {
    accessKeyId: created.AccessKey?.AccessKeyId ?? '',
    secretAccessKey: created.AccessKey?.SecretAccessKey ?? '',
  };
  await emit({ type: 'created', accessKeyId: fresh.accessKeyId });
  const dropNew = async () =>
    iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: fresh.accessKeyId })).then(
      () => `the new key ${fresh.accessKeyId} was deleted`,
      (err: unknown) =>
        isNoSuchEntity(err)
          ? `the new key ${fresh.accessKeyId} is gone from IAM`
          : `the new key ${fresh.accessKeyId} could not be deleted (aws iam delete-access-key --user-name ${userName} --access-key-id ${fresh.accessKeyId})`,
    );

  try {
    await writeProfileKeys(deps.files, profile, fresh, region);
  } catch (err) {
    throw failure(
      'could not write the new key',
      `profile ${profile} still has ${old.accessKeyId}; ${await dropNew()}.`,
      err,
    );
  }
  await emit({ type: 'written', profile, accessKeyId: fresh.accessKeyId });

  try {
    await verifyKey(fresh, user.arn, { stsFor, sleep: deps.sleep });
  } catch (err) {
    // Put the old key back first: the profile must keep a key that works.
    const restored = await writeProfileKeys(deps.files, profile, old, region).then(
      () => `profile ${profile} has its old key ${old.accessKeyId} again`,
      (e: unknown) =>
        `profile ${profile} could NOT be restored (${e instanceof Error ? e.message : e}); it holds ${fresh.accessKeyId}`,
    );
    throw failure('stopped: the new key does not work', `${restored}; ${await dropNew()}.`, err);
  }
  await emit({ type: 'verified', accessKeyId: fresh.accessKeyId });

  const holding = `profile ${profile} holds the new, verified key ${fresh.accessKeyId}`;
  const deleteFix = `aws iam delete-access-key --user-name ${userName} --access-key-id ${old.accessKeyId}`;
  if (!oldInIam) {
    return {
      userName,
      profile,
      oldAccessKeyId: old.accessKeyId,
      newAccessKeyId: fresh.accessKeyId,
      oldKeyDeleted: false,
    };
  }
  try {
    await must(`UpdateAccessKey ${old.accessKeyId}`, () =>
      iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: old.accessKeyId, Status: 'Inactive' }),
      ),
    );
  } catch (err) {
    throw failure(
      'could not deactivate the old key',
      `${holding}; the old key ${old.accessKeyId} is still active.`,
      err,
      deleteFix,
    );
  }
  await emit({ type: 'deactivated', accessKeyId: old.accessKeyId });
  try {
    await must(`DeleteAccessKey ${old.accessKeyId}`, () =>
      iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: old.accessKeyId })),
    );
  } catch (err) {
    throw failure(
      'could not delete the old key',
      `${holding}; the old key ${old.accessKeyId} is inactive but not deleted.`,
      err,
      deleteFix,
    );
  }
  await emit({ type: 'deleted', accessKeyId: old.accessKeyId });
  return {
    userName,
    profile,
    oldAccessKeyId: old.accessKeyId,
    newAccessKeyId: fresh.accessKeyId,
    oldKeyDeleted: true,
  };
}
