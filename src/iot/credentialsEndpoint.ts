/**
 * One request to the AWS IoT credentials provider: `GET /role-aliases/<alias>/credentials` over
 * mutual TLS (the device's certificate and key; the endpoint verified against the CA bundle
 * only, with SNI set to the endpoint's name, which AWS requires), header `x-amzn-iot-thingname`.
 */
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import { TempcredsError, usageError } from '../errors.js';
import type { DeviceFiles } from './deviceFiles.js';
import { answerMessage, type IotAnswer, type IotRequestContext } from './refusals.js';

/** Temporary credentials for the role behind the alias. */
export interface IotCredentials {
  /** `ASIA...`: a temporary key, valid only with `sessionToken`. */
  accessKeyId: string;
  /** The session's secret key. */
  secretAccessKey: string;
  /** The session token every request must carry. */
  sessionToken: string;
  /** When the session ends: the role alias's `credentialDurationSeconds` after issue. */
  expiration: Date;
}

/** 200 with credentials, AWS's refusal as it came, or no answer at all (DNS, TCP, TLS, timeout). */
export type IotOutcome =
  | { kind: 'credentials'; credentials: IotCredentials }
  | { kind: 'refused'; answer: IotAnswer }
  | { kind: 'unanswered'; error: NodeJS.ErrnoException };

/** A failure with no answer, explained; `transient` ones are worth another try. */
export interface ExplainedFailure {
  error: TempcredsError;
  transient: boolean;
}

/** How to reach the endpoint (injected for tests: a DNS lookup that answers 127.0.0.1). */
export interface IotHttpOptions {
  /** DNS lookup for the endpoint's host (default: the system's). */
  lookup?: LookupFunction;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** The URL to ask: `TEMPCREDS_IOT_ENDPOINT_URL` when set (a local test provider), else the profile's endpoint. */
export function credentialsUrl(endpoint: string, env: NodeJS.ProcessEnv): URL {
  const override = env.TEMPCREDS_IOT_ENDPOINT_URL;
  if (!override) return new URL(`https://${endpoint}`);
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'https:' || !url.hostname || (url.pathname !== '/' && url.pathname !== '')) {
    throw usageError(
      `TEMPCREDS_IOT_ENDPOINT_URL "${override}" is not an https://host[:port] URL.`,
      'Set it to e.g. https://127.0.0.1:8443, or unset it to use the profile endpoint.',
    );
  }
  return url;
}

const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** A network or TLS failure in words, and whether trying again may help. */
export function explainUnanswered(
  err: NodeJS.ErrnoException,
  ctx: IotRequestContext & { caSource: string },
  url: URL,
): ExplainedFailure {
  const code = err.code ?? '';
  const where = `AWS IoT credentials provider ${url.host}`;
  const region = ctx.region ? ` --region ${ctx.region}` : '';
  const doctor = `tempcreds doctor --source-profile ${ctx.profile} --admin-profile ADMIN`;
  const failed = (message: string, fix: string, transient: boolean): ExplainedFailure => ({
    error: new TempcredsError(message, { kind: 'failed', fix, cause: err }),
    transient,
  });
  if (UNTRUSTED_SERVER.has(code)) {
    return failed(
      `${where} is not trusted (${code}: ${err.message}): its certificate does not chain to ${ctx.caSource}, or is not for that name.`,
      `Check tempcreds_iot_endpoint of profile ${ctx.profile} is what aws iot describe-endpoint --endpoint-type iot:CredentialProvider prints, and that its CA bundle holds Amazon Root CA 1.`,
      false,
    );
  }
  if (/ALERT_(BAD_CERTIFICATE|CERTIFICATE_(UNKNOWN|REVOKED|EXPIRED|REQUIRED)|UNKNOWN_CA)/.test(code)) {
    const message = `${where} refused the certificate (id ${ctx.certificateId}) in the TLS handshake (${code}): AWS IoT does so for a certificate it does not accept (INACTIVE, REVOKED, or not registered here).`;
    const fix = `Check it: aws iot describe-certificate --certificate-id ${ctx.certificateId}${region}; ${doctor}`;
    return {
      error: new TempcredsError(message, { kind: 'aws', awsCode: code, fix, cause: err }),
      transient: false,
    };
  }
  if (code === 'ECONNRESET' || /socket hang up/i.test(err.message)) {
    return failed(
      `${where} closed the connection without answering (${code || err.message}): AWS IoT does so for a certificate it does not accept (INACTIVE, REVOKED, or not registered here), or the network dropped it.`,
      `Try again; if it persists, check the certificate: ${doctor}`,
      true,
    );
  }
  if (UNREACHABLE.has(code) || code === 'TIMEOUT') {
    return failed(
      `Cannot reach ${where} (${code}).`,
      `Check the network and tempcreds_iot_endpoint of profile ${ctx.profile}.`,
      true,
    );
  }
  return failed(
    `${where}: ${err.message}${code ? ` (${code})` : ''}.`,
    'Try again; run with --debug for details.',
    true,
  );
}

function parseCredentials(body: string, where: string): IotCredentials {
  let data: { credentials?: Record<string, unknown> };
  try {
    data = JSON.parse(body) as typeof data;
  } catch {
    data = {};
  }
  const c = data.credentials ?? {};
  const expiration = typeof c.expiration === 'string' ? new Date(c.expiration) : new Date(NaN);
  if (
    typeof c.accessKeyId !== 'string' ||
    typeof c.secretAccessKey !== 'string' ||
    typeof c.sessionToken !== 'string' ||
    Number.isNaN(expiration.getTime())
  ) {
    throw new TempcredsError(
      `${where} answered 200 without credentials {accessKeyId, secretAccessKey, sessionToken, expiration}.`,
      {
        kind: 'failed',
        fix: 'Check TEMPCREDS_IOT_ENDPOINT_URL / tempcreds_iot_endpoint point at a credentials provider.',
      },
    );
  }
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration,
  };
}

const MAX_BODY = 64 * 1024;

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) res.destroy(new Error('answer larger than 64 KiB'));
    });
    res.on('end', () => done(body));
    res.on('error', fail);
  });
}

/**
 * Asks once: the credentials, AWS's refusal, or the error that kept an answer from coming.
 * Rejects only for a 200 that holds no credentials.
 */
export function requestIotCredentials(
  url: URL,
  files: DeviceFiles,
  ctx: IotRequestContext,
  options: IotHttpOptions = {},
): Promise<IotOutcome> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const where = `AWS IoT credentials provider ${url.host}`;
  return new Promise<IotOutcome>((done, fail) => {
    const unanswered = (error: NodeJS.ErrnoException) => done({ kind: 'unanswered', error });
    const req = request(
      {
        host,
        port: url.port || 443,
        // SNI carries the endpoint's name (AWS requires it); an IP address cannot be one.
        servername: isIP(host) ? undefined : host,
        method: 'GET',
        path: `/role-aliases/${encodeURIComponent(ctx.roleAlias)}/credentials`,
        headers: {
          accept: 'application/json',
          'user-agent': 'tempcreds',
          ...(ctx.thingName ? { 'x-amzn-iot-thingname': ctx.thingName } : {}),
        },
        cert: files.certificate,
        key: files.privateKey,
        ca: files.ca,
        minVersion: 'TLSv1.2',
        agent: false,
        lookup: options.lookup,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        readBody(res).then((body) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const errorType = res.headers['x-amzn-errortype'];
            const type = typeof errorType === 'string' ? errorType.split(':')[0] : undefined;
            return done({
              kind: 'refused',
              answer: { status, message: answerMessage(body), errorType: type },
            });
          }
          try {
            done({ kind: 'credentials', credentials: parseCredentials(body, where) });
          } catch (err) {
            fail(err);
          }
        }, unanswered);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })));
    req.on('error', unanswered);
    req.end();
  });
}
