/**
 * An AWS-fidelity proxy for the IoT control plane in front of moto (test support). Everything
 * passes through byte for byte except where moto 5 and AWS differ (see
 * test/integration/iot/motoVsAws.test.ts):
 * - DescribeEndpoint answers one endpoint per region, as AWS does (moto makes a new random prefix
 *   on every call), with the partition's DNS suffix (moto answers `.amazonaws.com` in China);
 * - CreateCertificateFromCsr signs the CSR's own key (moto certifies a new random key, so the
 *   device's private key would not match) with a test "AWS IoT" CA, and registers the result;
 * - CreateRoleAlias/UpdateRoleAlias refuse a credentialDurationSeconds outside 900..43200;
 * - DescribeCertificate finds a certificate by AWS's id (the SHA-256 of its DER) too: moto names
 *   certificates by the SHA-256 of their PEM text.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeCertificateCommand,
  IoTClient,
  ListCertificatesCommand,
  RegisterCertificateWithoutCACommand,
} from '@aws-sdk/client-iot';
import type { StaticKeys } from '../localAws.js';
import { forward } from '../awsProxy.js';
import { signingScope } from '../awsProxy/request.js';
import { makeCa, signCsr, type KeyPair } from './pki.js';

export interface IotControlProxy {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** What DescribeEndpoint iot:CredentialProvider answers in a region. */
  credentialsEndpoint(region: string): string;
  /** The CA that signs CSRs (AWS IoT's own, in this world). */
  issuingCa: KeyPair;
  stop(): Promise<void>;
}

export interface IotControlProxyOptions {
  target: string;
  /** Region for the proxy's own calls when a request carries none. */
  region: string;
  admin: () => StaticKeys;
}

function suffixOf(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: object, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(text);
}

export async function startIotControlProxy(options: IotControlProxyOptions): Promise<IotControlProxy> {
  const target = new URL(options.target);
  const prefix = randomBytes(7).toString('hex');
  const issuingCa = makeCa('tempcreds test AWS IoT issuing CA');
  const credentialsEndpoint = (region: string) => `${prefix}.credentials.iot.${region}.${suffixOf(region)}`;

  const createFromCsr = async (
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    region: string,
    res: ServerResponse,
  ) => {
    const { certificateSigningRequest } = JSON.parse(body.toString('utf8')) as {
      certificateSigningRequest: string;
    };
    const certificatePem = signCsr(issuingCa, certificateSigningRequest, {
      days: 365,
      extensions: ['extendedKeyUsage=clientAuth', 'basicConstraints=CA:FALSE'],
    });
    const iot = new IoTClient({ region, endpoint: options.target, credentials: options.admin() });
    try {
      const out = await iot.send(
        new RegisterCertificateWithoutCACommand({
          certificatePem,
          status: url.searchParams.get('setAsActive') === 'true' ? 'ACTIVE' : 'INACTIVE',
        }),
      );
      json(res, 200, {
        certificateArn: out.certificateArn,
        certificateId: out.certificateId,
        certificatePem,
      });
    } finally {
      iot.destroy();
    }
  };

  /** moto's id of the certificate whose DER hashes to `awsId`. */
  const motoIdOf = async (awsId: string, region: string) => {
    const iot = new IoTClient({ region, endpoint: options.target, credentials: options.admin() });
    try {
      for (const c of (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? []) {
        const out = await iot.send(new DescribeCertificateCommand({ certificateId: c.certificateId }));
        const pem = out.certificateDescription?.certificatePem;
        if (pem && createHash('sha256').update(new X509Certificate(pem).raw).digest('hex') === awsId)
          return c.certificateId;
      }
      return undefined;
    } finally {
      iot.destroy();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const body = await readAll(req);
    const scope = signingScope(req, url);
    const region = scope?.region ?? options.region;
    const iot = scope?.service === 'iot';
    if (iot && req.method === 'GET' && url.pathname === '/endpoint') {
      const type = url.searchParams.get('endpointType') ?? 'iot:Data-ATS';
      if (type === 'iot:CredentialProvider')
        return json(res, 200, { endpointAddress: credentialsEndpoint(region) });
      if (type === 'iot:Data-ATS')
        return json(res, 200, { endpointAddress: `${prefix}-ats.iot.${region}.${suffixOf(region)}` });
    }
    if (iot && req.method === 'POST' && url.pathname === '/certificates')
      return createFromCsr(req, url, body, region, res);
    const byId = /^\/certificates\/([0-9a-f]{64})$/.exec(url.pathname);
    if (iot && req.method === 'GET' && byId) {
      const motoId = await motoIdOf(byId[1] as string, region);
      // Asked of moto by its own id (enforcement is off in the IoT tests: the signature is not checked).
      if (motoId)
        return forward(
          target,
          {
            method: req.method,
            url: `/certificates/${motoId}`,
            rawHeaders: req.rawHeaders,
          } as IncomingMessage,
          body,
          res,
        );
    }
    if (iot && (req.method === 'POST' || req.method === 'PUT') && url.pathname.startsWith('/role-aliases/')) {
      const duration = (JSON.parse(body.toString('utf8') || '{}') as { credentialDurationSeconds?: number })
        .credentialDurationSeconds;
      if (duration !== undefined && (duration < 900 || duration > 43200)) {
        const bound = duration < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200';
        return json(
          res,
          400,
          {
            message: `1 validation error detected: Value '${duration}' at 'credentialDurationSeconds' failed to satisfy constraint: Member must have value ${bound}`,
          },
          'InvalidRequestException',
        );
      }
    }
    return forward(target, req, body, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (res.headersSent) return void res.destroy(err);
      json(res, 502, { message: `iotControlProxy: ${err.message}` });
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentialsEndpoint,
    issuingCa,
    async stop() {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
    },
  };
}
