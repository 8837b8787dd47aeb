/**
 * AWS IoT's credentials provider, for tests (moto has the IoT control plane, not this endpoint).
 * An HTTPS server that requires a client certificate and answers
 * `GET /role-aliases/<alias>/credentials` as AWS does, checking what AWS checks in the order the
 * awslabs session-helper dev notes recorded it against real AWS: the certificate is registered and
 * ACTIVE, attached to the thing named in `x-amzn-iot-thingname`, an IoT policy attached to it allows
 * `iot:AssumeRoleWithCertificate` on the alias, the alias exists, its role exists and trusts
 * `credentials.iot.amazonaws.com`, and the alias's duration fits the role's MaxSessionDuration.
 * Then it mints real credentials with an AssumeRole of the alias's role in moto (as the
 * administrator: moto cannot act as a service principal, so this server checks the trust itself)
 * and answers with AWS's shapes: 200 `{"credentials":{...}}`, or the status and `{"message"}` AWS
 * gives for each refusal (with `x-amzn-ErrorType`).
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeCertificateCommand,
  DescribeRoleAliasCommand,
  GetPolicyCommand,
  IoTClient,
  ListPrincipalPoliciesCommand,
  ListPrincipalThingsCommand,
} from '@aws-sdk/client-iot';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { StaticKeys } from './localAws.js';
import { makeCa, makeServerCertificate } from './iot/pki.js';

export interface IotCredentialsProviderOptions {
  /** Where IoT, IAM and STS calls go: moto, or the AWS-fidelity proxy in front of it. */
  awsEndpoint: string;
  region: string;
  /** Administrator keys; pass `() => aws.admin` to follow `LocalAws.reset()`. */
  admin: () => StaticKeys;
  /** The endpoint's host name (what describe-endpoint answers): its certificate covers it and 127.0.0.1. */
  endpointHost: string;
}

export interface ProviderLogEntry {
  status: number;
  message?: string;
  /** The TLS server name the client sent (none for an IP address). */
  servername: string | undefined;
  thingName: string | undefined;
  roleAlias: string | undefined;
  /** moto's id of the presented certificate. */
  certificateId: string | undefined;
  /** DurationSeconds of the AssumeRole, when one was made. */
  durationSeconds?: number;
}

export interface IotCredentialsProvider {
  /** `https://127.0.0.1:PORT`: what TEMPCREDS_IOT_ENDPOINT_URL is set to. */
  url: string;
  /** PEM of the CA that signed the server certificate: what TEMPCREDS_IOT_CA_FILE holds. */
  caPem: string;
  readonly log: ReadonlyArray<ProviderLogEntry>;
  clearLog(): void;
  stop(): Promise<void>;
}

export const CREDENTIALS_PRINCIPAL = 'credentials.iot.amazonaws.com';

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** `*` and `?` wildcards, as IoT and IAM policies use them. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'i' : '').test(value);
}

type Statement = Record<string, unknown>;
const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

function statementApplies(s: Statement, action: string, resource: string): boolean {
  if (s.Condition !== undefined) return false; // conditions are not needed by these tests
  const actionOk = s.NotAction
    ? !list(s.NotAction).some((p) => glob(p, action, true))
    : list(s.Action).some((p) => glob(p, action, true));
  const resourceOk = s.NotResource
    ? !list(s.NotResource).some((p) => glob(p, resource, false))
    : list(s.Resource).some((p) => glob(p, resource, false));
  return actionOk && resourceOk;
}

/** Default deny, an applicable Allow allows, an applicable Deny wins. */
function policiesAllow(documents: string[], action: string, resource: string): boolean {
  const statements = documents.flatMap((d) => [JSON.parse(d).Statement ?? []].flat()) as Statement[];
  const applicable = statements.filter((s) => statementApplies(s, action, resource));
  return !applicable.some((s) => s.Effect === 'Deny') && applicable.some((s) => s.Effect === 'Allow');
}

function trustsCredentialsProvider(trustText: string): boolean {
  const statements = [JSON.parse(decodeURIComponent(trustText)).Statement].flat() as Statement[];
  const names = (s: Statement) => {
    const p = s.Principal as Record<string, unknown> | string | undefined;
    return p === '*' || (typeof p === 'object' && list(p.Service).includes(CREDENTIALS_PRINCIPAL));
  };
  const covers = (s: Statement) => list(s.Action).some((a) => glob(a, 'sts:AssumeRole', true));
  const applicable = statements.filter((s) => names(s) && covers(s) && s.Condition === undefined);
  return !applicable.some((s) => s.Effect === 'Deny') && applicable.some((s) => s.Effect === 'Allow');
}

/** moto 5 names a certificate by the SHA-256 of its PEM text (AWS: of its DER): the PEM it stored is canonical. */
function motoCertificateId(der: Buffer): string {
  return createHash('sha256').update(new X509Certificate(der).toString()).digest('hex');
}

const clientConfig = (options: IotCredentialsProviderOptions) => ({
  region: options.region,
  endpoint: options.awsEndpoint,
  credentials: options.admin(),
});

/** AWS IoT's checks, in its order; throws the refusal AWS would answer. */
async function check(req: IncomingMessage, entry: ProviderLogEntry, options: IotCredentialsProviderOptions) {
  const socket = req.socket as TLSSocket;
  const match = /^\/role-aliases\/([^/]+)\/credentials$/.exec(new URL(req.url ?? '/', 'https://x').pathname);
  if (req.method !== 'GET' || !match) throw new Refusal(404, 'ResourceNotFoundException', 'Not Found');
  const alias = decodeURIComponent(match[1] as string);
  entry.roleAlias = alias;
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) throw new Refusal(403, 'AccessDeniedException', 'Certificate is invalid on this endpoint');
  const iot = new IoTClient(clientConfig(options));
  try {
    const certificateId = motoCertificateId(peer.raw);
    entry.certificateId = certificateId;
    // AWS names the session after its certificateId: the SHA-256 of the DER.
    const awsCertificateId = createHash('sha256').update(peer.raw).digest('hex');
    const described = await iot
      .send(new DescribeCertificateCommand({ certificateId }))
      .catch(() => undefined);
    const cert = described?.certificateDescription;
    if (!cert || cert.status !== 'ACTIVE')
      throw new Refusal(403, 'AccessDeniedException', 'Certificate is invalid on this endpoint');
    const certArn = cert.certificateArn as string;
    const thing = req.headers['x-amzn-iot-thingname'];
    if (typeof thing === 'string') {
      const things = await iot.send(new ListPrincipalThingsCommand({ principal: certArn }));
      if (!(things.things ?? []).includes(thing))
        throw new Refusal(403, 'AccessDeniedException', 'Invalid thing name passed');
    }
    // ListPrincipalPolicies (deprecated) carries the principal in a header: moto's signature
    // check rejects ListAttachedPolicies, whose path holds the ARN, when enforcement is on.
    const attached = await iot.send(new ListPrincipalPoliciesCommand({ principal: certArn }));
    const documents = await Promise.all(
      (attached.policies ?? []).map(
        async (p) =>
          (await iot.send(new GetPolicyCommand({ policyName: p.policyName }))).policyDocument ?? '{}',
      ),
    );
    const [, partition, , , account] = certArn.split(':');
    const aliasArn = `arn:${partition}:iot:${options.region}:${account}:rolealias/${alias}`;
    if (!policiesAllow(documents, 'iot:AssumeRoleWithCertificate', aliasArn))
      throw new Refusal(403, 'AccessDeniedException', 'Access Denied');
    const roleAlias = await iot
      .send(new DescribeRoleAliasCommand({ roleAlias: alias }))
      .then((o) => o.roleAliasDescription)
      .catch(() => undefined);
    if (!roleAlias) throw new Refusal(404, 'ResourceNotFoundException', 'Role alias does not exist');
    return { roleAlias, certificateId: awsCertificateId };
  } finally {
    iot.destroy();
  }
}

/** The trust and duration checks AWS makes of the role, then a real AssumeRole in moto (as the administrator). */
async function mint(
  options: IotCredentialsProviderOptions,
  roleArn: string,
  duration: number,
  certificateId: string,
  entry: ProviderLogEntry,
) {
  const iam = new IAMClient(clientConfig(options));
  const sts = new STSClient(clientConfig(options));
  try {
    const roleName = roleArn.split('/').pop() as string;
    const role = await iam
      .send(new GetRoleCommand({ RoleName: roleName }))
      .then((o) => o.Role)
      .catch(() => undefined);
    const unable = 'Unable to assume the role, or the role to assume does not exist';
    if (!role || !trustsCredentialsProvider(role.AssumeRolePolicyDocument ?? '{}'))
      throw new Refusal(400, 'InvalidRequestException', unable);
    if (duration > (role.MaxSessionDuration ?? 3600))
      throw new Refusal(
        400,
        'InvalidRequestException',
        'The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role',
      );
    entry.durationSeconds = duration;
    // The session is named after the certificate, as AWS IoT names it.
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.Arn,
        RoleSessionName: certificateId.slice(0, 64),
        DurationSeconds: duration,
      }),
    );
    const c = out.Credentials!;
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration!.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  } finally {
    iam.destroy();
    sts.destroy();
  }
}

/** One request: AWS's answer, and its line in the log. */
async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: IotCredentialsProviderOptions,
  log: ProviderLogEntry[],
) {
  const socket = req.socket as TLSSocket;
  const servername = (socket as TLSSocket & { servername?: string | false }).servername || undefined;
  const entry: ProviderLogEntry = {
    status: 0,
    servername,
    thingName: req.headers['x-amzn-iot-thingname'] as string | undefined,
    roleAlias: undefined,
    certificateId: undefined,
  };
  const answer = (status: number, body: object, errorType?: string) => {
    entry.status = status;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    });
    res.end(JSON.stringify(body));
    log.push(entry);
  };
  try {
    // AWS requires SNI with the endpoint's name; a client connecting by IP address sends none.
    if (servername !== undefined && servername !== options.endpointHost)
      throw new Refusal(403, 'AccessDeniedException', 'Certificate is invalid on this endpoint');
    const { roleAlias, certificateId } = await check(req, entry, options);
    const credentials = await mint(
      options,
      roleAlias.roleArn as string,
      roleAlias.credentialDurationSeconds ?? 3600,
      certificateId,
      entry,
    );
    answer(200, { credentials });
  } catch (err) {
    if (err instanceof Refusal) {
      entry.message = err.message;
      return answer(err.status, { message: err.message }, err.errorType);
    }
    entry.message = String(err);
    answer(500, { message: 'Internal Failure' }, 'InternalFailureException');
  }
}

/** Starts the provider on a free loopback port, with a server certificate from a CA of its own. */
export async function startIotCredentialsProvider(
  options: IotCredentialsProviderOptions,
): Promise<IotCredentialsProvider> {
  const ca = makeCa('tempcreds test credentials-provider CA');
  const server = makeServerCertificate(ca, { dns: [options.endpointHost], ip: ['127.0.0.1'] });
  const log: ProviderLogEntry[] = [];

  const https: Server = createServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => void handle(req, res, options, log),
  );
  await new Promise<void>((listening) => https.listen(0, '127.0.0.1', listening));
  const port = (https.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: ca.certPem,
    get log() {
      return log;
    },
    clearLog: () => void (log.length = 0),
    async stop() {
      const closed = new Promise((r) => https.close(r));
      https.closeAllConnections();
      await closed;
    },
  };
}
