/**
 * The local AWS for tests and the demo: moto on a free loopback port, with an administrator
 * bootstrapped inside the unauthenticated window and IAM enforcement switched on afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  IAMClient,
  CreateUserCommand,
  PutUserPolicyCommand,
  CreateAccessKeyCommand,
} from '@aws-sdk/client-iam';

export interface StaticKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalAws {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** The region the administrator was created in (its ARN partition follows from it). */
  region: string;
  /** Keys of `admin`, an IAM user with an inline `*` policy: works under enforcement. */
  admin: StaticKeys;
  /** Client config for SDK v3 clients that act as the administrator. */
  adminClientConfig(region?: string): {
    region: string;
    endpoint: string;
    credentials: StaticKeys;
    forcePathStyle: boolean;
  };
  /** Turn moto's SigV4 + IAM policy enforcement on or off. */
  setEnforcement(on: boolean): Promise<void>;
  /** Clear all state, then bootstrap the administrator again (enforcement as it was). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Region for the administrator and default clients: `cn-northwest-1` makes `arn:aws-cn:` ARNs. */
  region?: string;
  /** Turn enforcement on after bootstrap (default true). */
  enforce?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto exited with code ${child.exitCode}:\n${stderr()}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto did not start within 30 s:\n${stderr()}`);
}

async function post(endpoint: string, path: string, body?: string): Promise<void> {
  const res = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: body ?? '',
  });
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
}

async function bootstrapAdmin(endpoint: string, region: string): Promise<StaticKeys> {
  // Inside the unauthenticated window any keys are accepted.
  const iam = new IAMClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' },
  });
  await iam.send(new CreateUserCommand({ UserName: 'admin' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'admin',
      PolicyName: 'everything',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
  iam.destroy();
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

export async function startLocalAws(options: StartOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const enforce = options.enforce ?? true;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(new Error(`cannot start moto (${err.message}): install it with pip install "moto[server]"`)),
    ),
  );
  await Promise.race([waitUntilUp(endpoint, child, () => stderr), spawnFailed]).catch((err: Error) => {
    child.kill('SIGKILL');
    if (/No module named moto/.test(stderr)) {
      throw new Error('moto (the local AWS) is missing: install it with pip install "moto[server]"');
    }
    throw err;
  });

  let enforcing = false;
  const setEnforcement = async (on: boolean) => {
    await post(endpoint, '/moto-api/reset-auth', on ? '0' : 'inf');
    enforcing = on;
  };
  let admin = await bootstrapAdmin(endpoint, region);
  if (enforce) await setEnforcement(true);

  const local: LocalAws = {
    endpoint,
    region,
    get admin() {
      return admin;
    },
    adminClientConfig: (r = region) => ({ region: r, endpoint, credentials: admin, forcePathStyle: true }),
    setEnforcement,
    async reset() {
      const wasEnforcing = enforcing;
      await setEnforcement(false);
      await post(endpoint, '/moto-api/reset');
      admin = await bootstrapAdmin(endpoint, region);
      if (wasEnforcing) await setEnforcement(true);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  return local;
}
