/** What a request is, read from its SigV4 signature, headers, path and (for awsQuery) its form body. */
import type { IncomingMessage } from 'node:http';

export type ServiceName = 'sts' | 'iam' | 'firehose' | 's3' | 'other';

/** The signing key and scope: from the `Authorization` header, or `X-Amz-Credential` of a presigned URL. */
export interface SigningScope {
  accessKeyId: string;
  region: string;
  service: string;
}

export function signingScope(req: IncomingMessage, url: URL): SigningScope | undefined {
  const auth = req.headers.authorization;
  const credential = auth ? /Credential=([^,\s]+)/.exec(auth)?.[1] : url.searchParams.get('X-Amz-Credential');
  const [accessKeyId, , region, service] = credential?.split('/') ?? [];
  return accessKeyId && region && service ? { accessKeyId, region, service } : undefined;
}

/** The service, from the signing scope; `other` for moto's own API and unsigned calls. */
function serviceOf(req: IncomingMessage, scope: SigningScope | undefined): ServiceName {
  const signed = scope?.service;
  if (signed === 'sts' || signed === 'iam' || signed === 'firehose' || signed === 's3') return signed;
  if (String(req.headers['x-amz-target']).startsWith('Firehose_')) return 'firehose';
  return 'other';
}

/** awsQuery parameters: the form body of a POST, or the query string of a GET. */
function queryParams(url: URL, body: Buffer | undefined): URLSearchParams {
  return body && body.length > 0 ? new URLSearchParams(body.toString('utf8')) : url.searchParams;
}

export interface RequestInfo {
  service: ServiceName;
  action: string;
  /** awsQuery parameters (STS, IAM); empty for the other protocols. */
  params: URLSearchParams;
}

export function describeRequest(
  req: IncomingMessage,
  url: URL,
  scope: SigningScope | undefined,
  body: Buffer | undefined,
): RequestInfo {
  const service = serviceOf(req, scope);
  if (service === 'firehose') {
    return {
      service,
      action: String(req.headers['x-amz-target']).split('.').pop() ?? '',
      params: new URLSearchParams(),
    };
  }
  if (service === 's3') return { service, action: s3Action(req, url), params: new URLSearchParams() };
  const params = queryParams(url, body);
  const action = params.get('Action') ?? `${req.method} ${url.pathname}`;
  // The unsigned STS calls (AssumeRoleWithWebIdentity/SAML) carry no scope: their action tells.
  return {
    service: service === 'other' && action.startsWith('AssumeRoleWith') ? 'sts' : service,
    action,
    params,
  };
}

const OBJECT_VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head' };
const MULTIPART: Record<string, string> = {
  PUT: 'UploadPart',
  POST: 'CompleteMultipartUpload',
  DELETE: 'AbortMultipartUpload',
  GET: 'ListParts',
};
const BUCKET: Record<string, string> = { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' };

/** S3 operation names from method and path shape (path-style addressing: `/bucket/key`). */
function s3Action(req: IncomingMessage, url: URL): string {
  const method = req.method ?? 'GET';
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  const key = rest.join('/');
  const q = url.searchParams;
  // A subresource is a bare query key: `?versioning`, `?tagging`, `?uploads`.
  const sub = [...q.keys()].find((k) => q.get(k) === '' && !['prefix', 'delimiter', 'marker'].includes(k));
  const Sub = sub
    ? sub[0]!.toUpperCase() + sub.slice(1).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
    : '';
  if (!bucket) return 'ListBuckets';
  if (!key) {
    if (method === 'POST' && sub === 'delete') return 'DeleteObjects';
    if (method === 'GET' && sub === 'uploads') return 'ListMultipartUploads';
    if (sub) return `${OBJECT_VERBS[method] ?? method}Bucket${Sub}`;
    if (method === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    return BUCKET[method] ?? method;
  }
  if (q.has('uploadId')) return MULTIPART[method] ?? method;
  if (method === 'POST' && sub === 'uploads') return 'CreateMultipartUpload';
  if (method === 'PUT' && req.headers['x-amz-copy-source']) return 'CopyObject';
  return `${OBJECT_VERBS[method] ?? method}Object${Sub}`;
}
