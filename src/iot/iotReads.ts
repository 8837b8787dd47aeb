/** What iot setup, teardown and doctor read from the AWS IoT control plane, "does not exist" as undefined. */
import type { IoTClient } from '@aws-sdk/client-iot';
import { clientConfig, type AwsContext } from '../aws/clients.js';
import { explainAwsError } from '../aws/explain.js';
import { iotSdk } from '../aws/sdk.js';
import { awsErrorCode } from '../errors.js';
import { parsePolicyText, type RawPolicyDocument } from '../iam/policyDocument.js';

const {
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeRoleAliasCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListRoleAliasesCommand,
  ListTargetsForPolicyCommand,
  ListThingPrincipalsCommand,
} = iotSdk();

/** The part of an IoT client the library uses: tests and library users may pass their own. */
export type Iot = Pick<IoTClient, 'send'>;

/** An IoT control-plane client for the context (endpoint overrides as for every service). */
export function createIotClient(ctx: AwsContext): IoTClient {
  return new (iotSdk().IoTClient)({ ...clientConfig('iot', ctx), maxAttempts: 3 });
}

/** Runs one IoT call; every failure becomes an explained error. */
export async function mustIot<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explainAwsError(err, { action });
  }
}

/** Runs one IoT call; ResourceNotFoundException becomes undefined. */
async function maybeIot<T>(action: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (awsErrorCode(err) === 'ResourceNotFoundException') return undefined;
    throw explainAwsError(err, { action });
  }
}

/** Follows one List call's `nextToken`/`nextMarker` pages. */
async function allPages<O, T>(
  action: string,
  fetch: (token: string | undefined) => Promise<O>,
  items: (page: O) => T[] | undefined,
  next: (page: O) => string | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await mustIot(action, () => fetch(token));
    out.push(...(items(page) ?? []));
    token = next(page) || undefined;
  } while (token);
  return out;
}

/** The account's `iot:CredentialProvider` endpoint: asking needs IAM credentials, so setup records it. */
export async function describeCredentialsEndpoint(iot: Iot): Promise<string> {
  const out = await mustIot('DescribeEndpoint iot:CredentialProvider', () =>
    iot.send(new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' })),
  );
  return out.endpointAddress ?? '';
}

/** A thing's ARN, or undefined when there is no such thing. */
export async function describeThing(iot: Iot, thingName: string): Promise<{ arn: string } | undefined> {
  const out = await maybeIot(`DescribeThing ${thingName}`, () =>
    iot.send(new DescribeThingCommand({ thingName })),
  );
  return out && { arn: out.thingArn ?? '' };
}

/** A certificate as iot:DescribeCertificate returns it. */
export interface CertificateInfo {
  /** AWS IoT's ID: SHA-256 of the certificate's DER, hex. */
  certificateId: string;
  /** The certificate's ARN (`arn:aws:iot:REGION:ACCOUNT:cert/ID`): the principal things and policies attach to. */
  arn: string;
  /** ACTIVE, INACTIVE, REVOKED, PENDING_TRANSFER, ... */
  status: string;
  /** The certificate itself, PEM (public: no key). */
  pem: string;
}

/** A certificate by its id, or undefined when AWS IoT has none of that id. */
export async function describeCertificate(
  iot: Iot,
  certificateId: string,
): Promise<CertificateInfo | undefined> {
  const out = await maybeIot(`DescribeCertificate ${certificateId}`, () =>
    iot.send(new DescribeCertificateCommand({ certificateId })),
  );
  const c = out?.certificateDescription;
  return (
    c && {
      certificateId: c.certificateId ?? certificateId,
      arn: c.certificateArn ?? '',
      status: c.status ?? '',
      pem: c.certificatePem ?? '',
    }
  );
}

/** Principals (certificate ARNs, ...) attached to a thing; undefined when the thing does not exist. */
export async function listThingPrincipals(iot: Iot, thingName: string): Promise<string[] | undefined> {
  if (!(await describeThing(iot, thingName))) return undefined;
  return allPages(
    `ListThingPrincipals ${thingName}`,
    (nextToken) => iot.send(new ListThingPrincipalsCommand({ thingName, nextToken })),
    (page) => page.principals,
    (page) => page.nextToken,
  );
}

/** Things a certificate (or other principal) is attached to. */
export function listPrincipalThings(iot: Iot, principal: string): Promise<string[]> {
  return allPages(
    `ListPrincipalThings ${principal}`,
    (nextToken) => iot.send(new ListPrincipalThingsCommand({ principal, nextToken })),
    (page) => page.things,
    (page) => page.nextToken,
  );
}

/** Names of the IoT policies attached to a certificate (or another target). */
export function listAttachedPolicyNames(iot: Iot, target: string): Promise<string[]> {
  return allPages(
    `ListAttachedPolicies ${target}`,
    (marker) => iot.send(new ListAttachedPoliciesCommand({ target, marker })),
    (page) => page.policies?.map((p) => p.policyName ?? ''),
    (page) => page.nextMarker,
  );
}

/** Every target (certificate, ...) an IoT policy is attached to. */
export function listPolicyTargets(iot: Iot, policyName: string): Promise<string[]> {
  return allPages(
    `ListTargetsForPolicy ${policyName}`,
    (marker) => iot.send(new ListTargetsForPolicyCommand({ policyName, marker })),
    (page) => page.targets,
    (page) => page.nextMarker,
  );
}

/** An IoT policy's default version, as iot:GetPolicy returns it. */
export interface IotPolicyInfo {
  /** The policy's name. */
  name: string;
  /** The policy's ARN. */
  arn: string;
  /** The default version's document. */
  document: RawPolicyDocument;
}

/** An IoT policy's default version, or undefined when there is no such policy. */
export async function getIotPolicy(iot: Iot, policyName: string): Promise<IotPolicyInfo | undefined> {
  const out = await maybeIot(`GetPolicy ${policyName}`, () => iot.send(new GetPolicyCommand({ policyName })));
  return (
    out && {
      name: out.policyName ?? policyName,
      arn: out.policyArn ?? '',
      document: parsePolicyText(out.policyDocument ?? '', `IoT policy ${policyName}`),
    }
  );
}

/** A role alias, as iot:DescribeRoleAlias returns it. */
export interface RoleAliasInfo {
  /** The alias's name. */
  roleAlias: string;
  /** The alias's ARN (`arn:aws:iot:REGION:ACCOUNT:rolealias/NAME`). */
  arn: string;
  /** The role whose sessions the alias hands out. */
  roleArn: string;
  /** How long those sessions last, in seconds (900 to 43200). */
  credentialDurationSeconds: number;
}

/** A role alias, or undefined when there is none of that name. */
export async function describeRoleAlias(iot: Iot, roleAlias: string): Promise<RoleAliasInfo | undefined> {
  const out = await maybeIot(`DescribeRoleAlias ${roleAlias}`, () =>
    iot.send(new DescribeRoleAliasCommand({ roleAlias })),
  );
  const d = out?.roleAliasDescription;
  return (
    d && {
      roleAlias: d.roleAlias ?? roleAlias,
      arn: d.roleAliasArn ?? '',
      roleArn: d.roleArn ?? '',
      credentialDurationSeconds: d.credentialDurationSeconds ?? 3600,
    }
  );
}

/** Names of every role alias in the account and region. */
export function listRoleAliases(iot: Iot): Promise<string[]> {
  return allPages(
    'ListRoleAliases',
    (marker) => iot.send(new ListRoleAliasesCommand({ marker })),
    (page) => page.roleAliases,
    (page) => page.nextMarker,
  );
}
