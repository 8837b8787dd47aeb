import type { AwsCredentialIdentity } from '@smithy/types';
import {
  credentialsUrl,
  explainUnanswered,
  requestIotCredentials,
  type ExplainedFailure,
  type IotHttpOptions,
} from './credentialsEndpoint.js';
import { readDeviceFiles } from './deviceFiles.js';
import type { IotProfile } from './profile.js';
import { explainIotAnswer, isTransientAnswer, type IotRequestContext } from './refusals.js';

/** Credentials with the expiry AWS IoT gave them: every IoT session ends. */
export type IotSessionCredentials = AwsCredentialIdentity & { sessionToken: string; expiration: Date };

/** The inputs and side effects of {@link fromIotCertificate}. */
export interface FromIotCertificateInit {
  /** The profile the settings came from, named in every message. */
  profile: string;
  /** The device's settings: endpoint, role alias, thing, certificate, key and CA files. */
  iot: IotProfile;
  /** Read for `TEMPCREDS_IOT_ENDPOINT_URL` and `TEMPCREDS_IOT_CA_FILE`. */
  env: NodeJS.ProcessEnv;
  /** How to reach the endpoint: DNS lookup and per-request timeout (default: the system's DNS, 10 s). */
  http?: IotHttpOptions;
  /** Waits between attempts after a network failure, throttling or a 5xx (default: real time). */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per call for failures worth retrying (default 3). */
  maxAttempts?: number;
  /** The caller's uid, for the key-file checks (default: this process's). */
  uid?: number;
  /** The clock, to refuse an expired certificate before asking (default: the system clock). */
  now?: () => Date;
  /** Told about each request, without secrets (for `--debug`). */
  debug?: (message: string) => void;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A credential provider over AWS IoT's credentials provider: `(init) => async () => credentials`.
 * Every call reads the device files afresh (a renewed certificate on disk is used at once, a key
 * made readable by others is refused), then asks the endpoint; network failures, throttling and
 * 5xx answers are retried, AWS's refusals explained. Wrap it in `refreshing()` to keep it fresh.
 */
export function fromIotCertificate(init: FromIotCertificateInit): () => Promise<IotSessionCredentials> {
  const sleep = init.sleep ?? realSleep;
  const attempts = init.maxAttempts ?? 3;
  return async () => {
    const url = credentialsUrl(init.iot.endpoint, init.env);
    const files = await readDeviceFiles(init.iot, {
      profile: init.profile,
      env: init.env,
      uid: init.uid,
      now: init.now,
    });
    const ctx: IotRequestContext = {
      profile: init.profile,
      endpoint: url.host,
      roleAlias: init.iot.roleAlias,
      thingName: init.iot.thingName,
      certificateId: files.certificateId,
      region: init.iot.region,
    };
    for (let attempt = 1; ; attempt += 1) {
      init.debug?.(
        `GET ${url.origin}/role-aliases/${ctx.roleAlias}/credentials (certificate ${ctx.certificateId})`,
      );
      const outcome = await requestIotCredentials(url, files, ctx, init.http);
      if (outcome.kind === 'credentials') {
        init.debug?.(
          `AWS IoT issued ${outcome.credentials.accessKeyId} until ${outcome.credentials.expiration.toISOString()}`,
        );
        return outcome.credentials;
      }
      const failure: ExplainedFailure =
        outcome.kind === 'refused'
          ? { error: explainIotAnswer(outcome.answer, ctx), transient: isTransientAnswer(outcome.answer) }
          : explainUnanswered(outcome.error, { ...ctx, caSource: files.caSource }, url);
      init.debug?.(`attempt ${attempt}: ${failure.error.message}`);
      if (!failure.transient || attempt >= attempts) throw failure.error;
      await sleep(250 * 4 ** (attempt - 1));
    }
  };
}
