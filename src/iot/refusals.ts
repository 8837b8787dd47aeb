/**
 * What the AWS IoT credentials provider's refusals mean, and how to fix each. AWS answers with
 * an HTTP status and `{"message": "..."}` only (the cases below are those the awslabs
 * aws-iot-core-credential-provider-session-helper dev notes recorded against real AWS), so the
 * message is the only way to tell them apart. Pure.
 */
import { TempcredsError } from '../errors.js';

/** Which precondition of the credentials provider failed. */
export type IotRefusal =
  'certificate' | 'thing' | 'policy' | 'roleAlias' | 'role' | 'duration' | 'throttled' | 'other';

/** What the request was, to name it in the explanation and the fix. */
export interface IotRequestContext {
  /** The IoT profile the request was made for. */
  profile: string;
  /** The credentials-provider endpoint asked, `host` or `host:port`. */
  endpoint: string;
  /** The role alias asked for. */
  roleAlias: string;
  /** The thing sent as `x-amzn-iot-thingname`; absent when the profile names none. */
  thingName?: string;
  /** AWS IoT's ID of the device's certificate (SHA-256 of its DER, hex), for the fix's commands. */
  certificateId: string;
  /** The region of the endpoint, for `--region` in the fix's commands; absent when unknown. */
  region?: string;
}

/** An answer of the credentials provider other than 200. */
export interface IotAnswer {
  /** The HTTP status: 400, 403, 404, 429, 5xx. */
  status: number;
  /** `message` of the JSON body, or the body itself when it is not that JSON. */
  message: string;
  /** The `x-amzn-ErrorType` header, when AWS sent one. */
  errorType?: string;
}

/** Reads `{"message": "..."}` (or `Message`), else the first 200 characters of the body. */
export function answerMessage(body: string): string {
  try {
    const data = JSON.parse(body) as { message?: unknown; Message?: unknown };
    const message = data.message ?? data.Message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: say what came
  }
  return body.trim().slice(0, 200) || '(empty answer)';
}

/** The refusal an answer stands for, by AWS's status and wording. */
export function classifyAnswer(answer: IotAnswer): IotRefusal {
  const m = answer.message.toLowerCase();
  if (answer.status === 429 || m.includes('rate exceeded') || m.includes('throttl')) return 'throttled';
  if (m.includes('certificate is invalid') || m.includes('certificate is not')) return 'certificate';
  if (m.includes('invalid thing name')) return 'thing';
  if (answer.status === 404 || m.includes('role alias does not exist')) return 'roleAlias';
  if (m.includes('credentialdurationseconds') || m.includes('maxsessionduration')) return 'duration';
  if (m.includes('unable to assume the role') || m.includes('role to assume does not exist')) return 'role';
  if (answer.status === 403 || m === 'access denied') return 'policy';
  return 'other';
}

function meaningAndFix(refusal: IotRefusal, ctx: IotRequestContext): [string, string] {
  const region = ctx.region ? ` --region ${ctx.region}` : '';
  const thing = ctx.thingName ?? 'THING';
  const doctor = `tempcreds doctor --source-profile ${ctx.profile} --admin-profile ADMIN`;
  switch (refusal) {
    case 'certificate':
      return [
        `the certificate (id ${ctx.certificateId}) is not ACTIVE in this account and region: it is INACTIVE, REVOKED, or registered elsewhere`,
        `Check it: aws iot describe-certificate --certificate-id ${ctx.certificateId}${region}; activate it (aws iot update-certificate --certificate-id ${ctx.certificateId} --new-status ACTIVE), or, if it was revoked, issue a new one: tempcreds iot setup --thing ${thing} --role ROLE --csr FILE --out DIR`,
      ];
    case 'thing':
      return [
        `the certificate is not attached to thing ${thing}, or there is no such thing`,
        `Attach it (tempcreds iot setup --thing ${thing} --role ROLE ... does), or set tempcreds_iot_thing_name of profile ${ctx.profile} to the thing it is attached to: aws iot list-principal-things --principal CERTIFICATE_ARN${region}`,
      ];
    case 'policy':
      return [
        `no IoT policy attached to the certificate allows iot:AssumeRoleWithCertificate on role alias ${ctx.roleAlias}`,
        `Attach a policy that allows it (tempcreds iot setup --thing ${thing} --role ROLE --role-alias ${ctx.roleAlias} makes one); ${doctor} shows what is attached`,
      ];
    case 'roleAlias':
      return [
        `there is no role alias ${ctx.roleAlias} in this account and region`,
        `Create it (tempcreds iot setup --thing ${thing} --role ROLE --role-alias ${ctx.roleAlias}), or set tempcreds_iot_role_alias of profile ${ctx.profile} to an existing one: aws iot list-role-aliases${region}`,
      ];
    case 'role':
      return [
        `the role of alias ${ctx.roleAlias} does not exist, or its trust policy does not allow credentials.iot.amazonaws.com to assume it`,
        `See the role: aws iot describe-role-alias --role-alias ${ctx.roleAlias}${region}; tempcreds iot setup --thing ${thing} --role ROLE --role-alias ${ctx.roleAlias} adds that trust to the role, keeping everything else`,
      ];
    case 'duration':
      return [
        `role alias ${ctx.roleAlias} asks for longer sessions (credentialDurationSeconds) than its role's MaxSessionDuration`,
        `Raise the role's limit (tempcreds role set-max-duration ROLE SECONDS) or shorten the alias's sessions (aws iot update-role-alias --role-alias ${ctx.roleAlias} --credential-duration-seconds 3600${region})`,
      ];
    case 'throttled':
      return [
        'AWS IoT is throttling credential requests',
        'Wait and try again; the session in use stays valid until it expires.',
      ];
    case 'other':
      return ['', `${doctor} checks each thing the credentials provider needs`];
  }
}

/** Throttling and server errors: worth another try. */
export function isTransientAnswer(answer: IotAnswer): boolean {
  return answer.status >= 500 || classifyAnswer(answer) === 'throttled';
}

/**
 * The error for a refusal: AWS's own status and message, what they mean here, and the fix.
 * Throttling and server errors are `failed` (worth retrying); the rest are AWS refusals.
 */
export function explainIotAnswer(answer: IotAnswer, ctx: IotRequestContext): TempcredsError {
  const refusal = classifyAnswer(answer);
  const [meaning, fix] = meaningAndFix(refusal, ctx);
  const type = answer.errorType ? ` ${answer.errorType}` : '';
  const aws = `${answer.status}${type}: ${answer.message}`;
  const transient = isTransientAnswer(answer);
  return new TempcredsError(
    `AWS IoT credentials provider ${ctx.endpoint} refused profile ${ctx.profile} (role alias ${ctx.roleAlias}): ${aws}${meaning ? ` — ${meaning}.` : ''}`,
    {
      kind: transient ? 'failed' : 'aws',
      awsCode: answer.errorType ?? `HTTP ${answer.status}`,
      fix,
    },
  );
}
