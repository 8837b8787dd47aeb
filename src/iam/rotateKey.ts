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
  profileAccessKeyId,
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

/** Which key {@link rotateKey} replaces. */
export interface RotateKeyInput {
  /** The profile holding the long-term key (`aws_access_key_id` in the credentials file) to replace. */
  sourceProfile: string;
  /** The key's user; default: whoever the profile's key belongs to (GetCallerIdentity). */
  userName?: string;
}

/** One step of a rotation, as it completes: the new key created, written, verified; the old one deactivated, deleted. */
export type RotateKeyEvent =
  | { type: 'created'; accessKeyId: string }
  | { type: 'written'; profile: string; accessKeyId: string }
  | { type: 'verified'; accessKeyId: string }
  | { type: 'deactivated'; accessKeyId: string }
  | { type: 'deleted'; accessKeyId: string };

/** The side effects of {@link rotateKey}. */
export interface RotateKeyDeps {
  /** Administrator credentials (iam:CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys). */
  aws: AwsContext;
  /** The AWS files holding the profile; the new key is written there under a lock. */
  files: AwsFiles;
  /** The IAM client (default: one for `aws`). */
  iam?: Iam;
  /** STS clients signing with a given key, to verify the new one (default: `aws`'s endpoint and region). */
  stsFor?: StsFor;
  /** Waits between verification tries while the new key propagates (default: a real timer). */
  sleep?: Sleep;
  /** Progress; awaited, so a caller may act between steps. */
  onEvent?: (event: RotateKeyEvent) => void | Promise<void>;
}

/** What a completed rotation did. */
export interface RotateKeyResult {
  /** The IAM user whose key was rotated. */
  userName: string;
  /** The profile that now holds the new key. */
  profile: string;
  /** The key that was replaced (deactivated, then deleted). */
  oldAccessKeyId: string;
  /** The key now in the profile, verified with sts:GetCallerIdentity. */
  newAccessKeyId: string;
  /** The old key was deleted (false when it was already gone from IAM). */
  oldKeyDeleted: boolean;
}

function failure(message: string, state: string, cause: unknown, fix?: string): TempcredsError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  // A step failed after AWS was changed (a key was created): not bad input even when the cause was
  // (a folder that cannot be written), since there was something to undo.
  const kind = cause instanceof TempcredsError && cause.kind === 'aws' ? 'aws' : 'failed';
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

/** What a rotation knows, and what it has made so far. */
interface Rotation {
  readonly profile: string;
  readonly userName: string;
  readonly userArn: string;
  readonly old: KeyPair;
  readonly region?: string;
  /** False when the old key is already gone from IAM: nothing to deactivate or delete. */
  readonly oldInIam: boolean;
  /** The new key, once CreateAccessKey has answered. */
  fresh?: KeyPair;
}

interface RotationDeps {
  iam: Iam;
  stsFor: StsFor;
  files: AwsFiles;
  sleep?: Sleep;
  emit(event: RotateKeyEvent): Promise<void>;
}

/**
 * One step of a rotation. Until the new key is verified (`commits`), each step that changes
 * something has an `undo`, run newest first when it or a later step fails; it undoes what the
 * step did (found out, not assumed: a write may have half happened) and says in one clause what
 * state it left. After the commit the profile holds a working key, so a failure undoes nothing
 * and only says what is left to do.
 */
interface RotationStep {
  applies?(r: Rotation): boolean;
  run(r: Rotation, deps: RotationDeps): Promise<void>;
  undo?(r: Rotation, deps: RotationDeps, ownFailure: boolean): Promise<string>;
  /** How this step's failure is told; without it, the error goes on as it is (nothing was done yet). */
  failure?(r: Rotation): { message: string; state?: string; fix?: string };
  commits?: boolean;
}

const fresh = (r: Rotation): KeyPair => r.fresh!;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

const createNewKey: RotationStep = {
  async run(r, deps) {
    const created = await must(`CreateAccessKey ${r.userName}`, () =>
      deps.iam.send(new CreateAccessKeyCommand({ UserName: r.userName })),
    );
    r.fresh = {
      accessKeyId: created.AccessKey?.AccessKeyId ?? '',
      secretAccessKey: created.AccessKey?.SecretAccessKey ?? '',
    };
    await deps.emit({ type: 'created', accessKeyId: r.fresh.accessKeyId });
  },
  async undo(r, deps) {
    const id = fresh(r).accessKeyId;
    return deps.iam.send(new DeleteAccessKeyCommand({ UserName: r.userName, AccessKeyId: id })).then(
      () => `the new key ${id} was deleted`,
      (err: unknown) =>
        isNoSuchEntity(err)
          ? `the new key ${id} is gone from IAM`
          : `the new key ${id} could not be deleted (aws iam delete-access-key --user-name ${r.userName} --access-key-id ${id})`,
    );
  },
};

const writeNewKey: RotationStep = {
  async run(r, deps) {
    await writeProfileKeys(deps.files, r.profile, fresh(r), r.region);
    await deps.emit({ type: 'written', profile: r.profile, accessKeyId: fresh(r).accessKeyId });
  },
  // The profile must keep a key that works: put the old one back, wherever the write got to
  // (the credentials file may hold the new key even when the region's write failed after it).
  async undo(r, deps, ownFailure) {
    const held = await profileAccessKeyId(deps.files, r.profile).catch(() => undefined);
    if (ownFailure && held === r.old.accessKeyId)
      return `profile ${r.profile} still has ${r.old.accessKeyId}`;
    return writeProfileKeys(deps.files, r.profile, r.old).then(
      () => `profile ${r.profile} has its old key ${r.old.accessKeyId} again`,
      (e: unknown) =>
        `profile ${r.profile} could NOT be restored (${errorText(e)}); it holds ${held ?? fresh(r).accessKeyId}`,
    );
  },
  failure: () => ({ message: 'could not write the new key' }),
};

const verifyNewKey: RotationStep = {
  async run(r, deps) {
    await verifyKey(fresh(r), r.userArn, { stsFor: deps.stsFor, sleep: deps.sleep });
    await deps.emit({ type: 'verified', accessKeyId: fresh(r).accessKeyId });
  },
  failure: () => ({ message: 'stopped: the new key does not work' }),
  commits: true,
};

const holding = (r: Rotation) => `profile ${r.profile} holds the new, verified key ${fresh(r).accessKeyId}`;
const deleteOldFix = (r: Rotation) =>
  `aws iam delete-access-key --user-name ${r.userName} --access-key-id ${r.old.accessKeyId}`;

const deactivateOldKey: RotationStep = {
  applies: (r) => r.oldInIam,
  async run(r, deps) {
    const { userName, old } = r;
    await must(`UpdateAccessKey ${old.accessKeyId}`, () =>
      deps.iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: old.accessKeyId, Status: 'Inactive' }),
      ),
    );
    await deps.emit({ type: 'deactivated', accessKeyId: old.accessKeyId });
  },
  failure: (r) => ({
    message: 'could not deactivate the old key',
    state: `${holding(r)}; the old key ${r.old.accessKeyId} is still active`,
    fix: deleteOldFix(r),
  }),
};

const deleteOldKey: RotationStep = {
  applies: (r) => r.oldInIam,
  async run(r, deps) {
    const { userName, old } = r;
    await must(`DeleteAccessKey ${old.accessKeyId}`, () =>
      deps.iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: old.accessKeyId })),
    );
    await deps.emit({ type: 'deleted', accessKeyId: old.accessKeyId });
  },
  failure: (r) => ({
    message: 'could not delete the old key',
    state: `${holding(r)}; the old key ${r.old.accessKeyId} is inactive but not deleted`,
    fix: deleteOldFix(r),
  }),
};

/** The steps in order: new key, write, verify (the commit), then the old key's end. */
const ROTATION: readonly RotationStep[] = [
  createNewKey,
  writeNewKey,
  verifyNewKey,
  deactivateOldKey,
  deleteOldKey,
];

/** Runs the steps; on a failure, undoes what is not yet committed and says where everything stands. */
async function runRotation(r: Rotation, deps: RotationDeps): Promise<void> {
  const undoable: RotationStep[] = [];
  for (const step of ROTATION) {
    if (step.applies && !step.applies(r)) continue;
    try {
      await step.run(r, deps);
    } catch (err) {
      if (!step.failure) throw err;
      const told = step.failure(r);
      const clauses = told.state ? [told.state] : [];
      if (step.undo) clauses.push(await step.undo(r, deps, true));
      for (const done of undoable.reverse()) clauses.push(await done.undo!(r, deps, false));
      throw failure(told.message, `${clauses.join('; ')}.`, err, told.fix);
    }
    if (step.commits) undoable.length = 0;
    else if (step.undo) undoable.push(step);
  }
}

/** Reads the profile and IAM, and refuses (before any change) a rotation that cannot succeed. */
async function startRotation(
  input: RotateKeyInput,
  iam: Iam,
  stsFor: StsFor,
  files: AwsFiles,
): Promise<Rotation> {
  const profile = input.sourceProfile;
  const { keys: old, region } = await readProfileKeys(files, profile);
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
  const oldInIam = existing.some((k) => k.accessKeyId === old.accessKeyId);
  return { profile, userName, userArn: user.arn, old, region, oldInIam };
}

/**
 * Rotates the access key of a profile's IAM user: creates a new key, writes it into the profile,
 * verifies that AWS accepts it, then deactivates and deletes the old one. A failure before the new
 * key is verified rolls back (old key back in the profile, new key deleted); after it, the profile
 * keeps the working new key and the error says what is left. Needs administrator credentials.
 */
export async function rotateKey(input: RotateKeyInput, deps: RotateKeyDeps): Promise<RotateKeyResult> {
  const iam = deps.iam ?? createIamClient(deps.aws);
  const stsFor = deps.stsFor ?? stsForKeys(deps.aws);
  const r = await startRotation(input, iam, stsFor, deps.files);
  await runRotation(r, {
    iam,
    stsFor,
    files: deps.files,
    sleep: deps.sleep,
    emit: async (event) => deps.onEvent?.(event),
  });
  return {
    userName: r.userName,
    profile: r.profile,
    oldAccessKeyId: r.old.accessKeyId,
    newAccessKeyId: fresh(r).accessKeyId,
    oldKeyDeleted: r.oldInIam,
  };
}
