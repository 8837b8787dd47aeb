/** AWS's error answers, in each service's own wire shape, so the real SDK parses them as it would AWS's. */
import { randomUUID } from 'node:crypto';
import type { ServiceName } from './request.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface AwsError {
  code: string;
  message: string;
  status: number;
}

const AWS_QUERY_NAMESPACE: Partial<Record<ServiceName, string>> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

/**
 * Status and message AWS sends with the codes tests inject or the proxy produces, so a fault needs
 * only its code. Firehose's 503 comes from the SDK's Smithy model (`@httpError(503)`).
 */
const KNOWN: Record<string, Omit<AwsError, 'code'>> = {
  'sts:Throttling': { status: 400, message: 'Rate exceeded' },
  'iam:Throttling': { status: 400, message: 'Rate exceeded' },
  'sts:ExpiredToken': { status: 400, message: 'The security token included in the request is expired' },
  'iam:ExpiredToken': { status: 400, message: 'The security token included in the request is expired' },
  'sts:InternalFailure': { status: 500, message: 'An internal error occurred.' },
  'iam:ServiceFailure': { status: 500, message: 'Service Failure' },
  'firehose:ServiceUnavailableException': { status: 503, message: 'Slow down.' },
  'firehose:ThrottlingException': { status: 400, message: 'Rate exceeded' },
  'firehose:InternalFailure': { status: 500, message: 'An internal error occurred.' },
  'firehose:ExpiredTokenException': {
    status: 400,
    message: 'The security token included in the request is expired',
  },
  's3:SlowDown': { status: 503, message: 'Please reduce your request rate.' },
  's3:ServiceUnavailable': { status: 503, message: 'Please reduce your request rate.' },
  's3:InternalError': { status: 500, message: 'We encountered an internal error. Please try again.' },
  's3:ExpiredToken': { status: 400, message: 'The provided token has expired.' },
};

export function knownError(service: ServiceName, code: string): Omit<AwsError, 'code'> | undefined {
  return KNOWN[`${service}:${code}`];
}

/** An error by its code, with AWS's status and message unless given. */
export function awsError(
  service: ServiceName,
  code: string,
  given: { status?: number; message?: string } = {},
): AwsError {
  const known = knownError(service, code);
  const status = given.status ?? known?.status;
  if (status === undefined) throw new Error(`${service}:${code} needs a status (not a code the proxy knows)`);
  return { code, status, message: given.message ?? known?.message ?? code };
}

/** The code each service uses for an expired session token. */
export function expiredTokenError(service: ServiceName): AwsError {
  const code = service === 'firehose' ? 'ExpiredTokenException' : 'ExpiredToken';
  return { code, ...(knownError(service === 'other' ? 'sts' : service, code) ?? KNOWN['sts:ExpiredToken']!) };
}

const xml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

export function errorAnswer(service: ServiceName, error: AwsError): Answer {
  const requestId = randomUUID();
  const { code, message, status } = error;
  if (service === 'firehose') {
    return {
      status,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  if (service === 's3') {
    // HEAD answers carry no body; node:http drops it for HEAD on its own.
    return {
      status,
      headers: {
        'Content-Type': 'application/xml',
        'x-amz-request-id': requestId.slice(0, 16).toUpperCase(),
      },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
    };
  }
  const namespace = AWS_QUERY_NAMESPACE[service] ?? AWS_QUERY_NAMESPACE.sts;
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId },
    body:
      `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xml(code)}</Code>` +
      `<Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
