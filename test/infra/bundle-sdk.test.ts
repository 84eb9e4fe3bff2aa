// The AWS SDK modules infra/bundle-sdk.ts replaces in every bundle: each is one the clients bring, each stand-in says what was left out if reached, and what Node runs instead still works bundled.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLE_SETTINGS } from '../../infra/bundle.ts';
import { ENDPOINT_CACHE_PATH, SDK_STAND_IN_PATHS } from '../../infra/bundle-sdk.ts';

const root = new URL('../../', import.meta.url).pathname;

/** The SDK's parts the stand-ins sit among, and each way a stand-in could be reached. */
const ENTRY = `
export { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
export { EndpointCache } from '@aws-sdk/endpoint-cache';
export { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
export { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
export { SESv2Client } from '@aws-sdk/client-sesv2';
export { Md5, Md5Js, Sha256, Sha256Js } from '@smithy/core/checksum';
export { AdaptiveRetryStrategy } from '@smithy/core/retry';
export { NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
export { resolveParams } from '@smithy/core/endpoints';
`;

type Endpoints = Array<{ Address: string; CachePeriodInMinutes: number }>;
type Bundled = {
  DynamoDBClient: new (
    config: object,
  ) => { send: (command: unknown) => Promise<{ Item?: unknown }>; destroy(): void };
  GetItemCommand: new (input: object) => unknown;
  EndpointCache: new (
    capacity: number,
  ) => {
    getEndpoint(key: string): string | undefined;
    get(key: string): Array<{ Address: string; Expires: number }> | undefined;
    set(key: string, endpoints: Endpoints): void;
    delete(key: string): void;
    has(key: string): boolean;
    clear(): void;
  };
  Md5: new () => Hash;
  Md5Js: new () => Hash;
  Sha256: new (secret?: string) => Hash;
  Sha256Js: new () => Hash;
  AdaptiveRetryStrategy: new (maxAttempts: () => Promise<number>) => unknown;
  NODE_REGION_CONFIG_OPTIONS: { default: () => Promise<string> };
  resolveParams: (input: object, instructions: undefined, config: object) => Promise<unknown>;
  SQSClient: new (
    config: object,
  ) => {
    config: { retryStrategy: () => Promise<{ mode: string }>; maxAttempts: () => Promise<number> };
    send: (command: unknown) => Promise<unknown>;
  };
  SendMessageCommand: new (input: object) => unknown;
};
type Hash = { update(data: string): void; digest(): Promise<Uint8Array> };

/** Each input of the bundle, with the bytes it gives the output. */
let inputs: Map<string, number>;
/** What the bundle imports from outside it (Node's built-ins). */
let imports: string[];
let sdk: Bundled;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-bundle-sdk-'));
  const result = await build({
    ...BUNDLE_SETTINGS,
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts' },
    outfile: join(dir, 'index.mjs'),
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  inputs = new Map(
    Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput] as const),
    ),
  );
  imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
  sdk = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as Bundled;
}, 120_000);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

const hex = async (hash: Hash, data: string) => {
  hash.update(data);
  return Buffer.from(await hash.digest()).toString('hex');
};

describe('sdkLambdaStandIns', () => {
  it('replaces modules the SDK’s clients bring, each where the installed SDK has it', () => {
    // Assess: a path the SDK moved would leave its module in every bundle, unnoticed without this
    const files = [...inputs.keys()];
    for (const path of SDK_STAND_IN_PATHS) {
      expect(files).toContain(`node_modules/@smithy/core/dist-es/submodules/${path}`);
    }
    // and what only the replaced modules used is gone (adaptive retry's rate limiter)
    expect(
      inputs.get('node_modules/@smithy/core/dist-es/submodules/retry/util-retry/DefaultRateLimiter.js') ?? 0,
    ).toBe(0);
  });

  it('hashes with Node’s own SHA-256, HMAC and MD5 in a bundle, never reaching the stand-ins', async () => {
    // Act
    const sha256 = await hex(new sdk.Sha256(), 'abc');
    const hmac = await hex(new sdk.Sha256('key'), 'abc');
    const md5 = await hex(new sdk.Md5(), 'abc');

    // Assess: the digests of RFC 6234's and RFC 1321's test string
    expect(sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hmac).toBe('9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab');
    expect(md5).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('leaves a client to the standard retry mode when none is asked for', async () => {
    // Prepare
    vi.stubEnv('AWS_RETRY_MODE', undefined);
    const client = new sdk.SQSClient({ region: 'eu-west-2' });

    // Act
    const strategy = await client.config.retryStrategy();

    // Assess
    expect(strategy.mode).toBe('standard');
  });

  it('says what was left out when a stand-in is reached', async () => {
    // Prepare
    const leftOut = (what: string) =>
      new RegExp(`^attest bundles leave out the AWS SDK’s ${what} \\(infra/bundle-sdk.ts\\)`);
    const adaptive = new sdk.SQSClient({
      region: 'eu-west-2',
      retryMode: 'adaptive',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      endpoint: 'http://127.0.0.1:9',
    });

    // Act / Assess
    expect(() => new sdk.Sha256Js()).toThrow(leftOut('JavaScript SHA-256'));
    expect(() => new sdk.Md5Js()).toThrow(leftOut('JavaScript MD5'));
    expect(() => new sdk.AdaptiveRetryStrategy(async () => 3)).toThrow(leftOut('adaptive retry mode'));
    await expect(
      adaptive.send(new sdk.SendMessageCommand({ QueueUrl: 'http://127.0.0.1:9/q', MessageBody: 'x' })),
    ).rejects.toThrow(leftOut('adaptive retry mode'));
    await expect(sdk.NODE_REGION_CONFIG_OPTIONS.default()).rejects.toThrow(
      leftOut('region lookup in EC2 instance metadata'),
    );
    await expect(sdk.resolveParams({}, undefined, { serviceId: 'S3' })).rejects.toThrow(
      leftOut('S3 endpoint parameters'),
    );
  });
});

describe('the endpoint cache on a Map', () => {
  it('is bundled in place of the SDK’s, without mnemonist', () => {
    const files = [...inputs.keys()];
    expect(files).toContain(`node_modules/${ENDPOINT_CACHE_PATH}`);
    expect(files.filter((file) => file.includes('node_modules/mnemonist/'))).toEqual([]);
  });

  it('keeps, expires and forgets endpoints as the SDK’s does', () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-03-01T09:00:00Z') });
    const cache = new sdk.EndpointCache(2);

    // Act / Assess: nothing discovered, then one endpoint for a minute
    expect(cache.getEndpoint('k')).toBeUndefined();
    expect(cache.has('k')).toBe(false);
    cache.set('k', [{ Address: 'dynamodb.eu-west-2.amazonaws.com', CachePeriodInMinutes: 1 }]);
    expect(cache.has('k')).toBe(true);
    expect(cache.getEndpoint('k')).toBe('dynamodb.eu-west-2.amazonaws.com');
    vi.advanceTimersByTime(60_001);
    expect(cache.getEndpoint('k')).toBeUndefined();
    expect(cache.has('k')).toBe(false);

    // a placeholder deleted reads as nothing; when full the oldest key leaves
    cache.set('a', [{ Address: 'a', CachePeriodInMinutes: 5 }]);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', [{ Address: 'b', CachePeriodInMinutes: 5 }]);
    cache.set('c', [{ Address: 'c', CachePeriodInMinutes: 5 }]);
    expect(cache.getEndpoint('b')).toBe('b');
    expect(cache.getEndpoint('c')).toBe('c');
    cache.clear();
    expect(cache.has('c')).toBe(false);
  });

  it('lets a bundled DynamoDB client make its requests (it looks in the cache at each)', async () => {
    // Prepare: an endpoint that answers every request with an item
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end(JSON.stringify({ Item: { pk: { S: 'x' } } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new sdk.DynamoDBClient({
      region: 'eu-west-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });

    try {
      // Act
      const answer = await client.send(new sdk.GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));

      // Assess
      expect(answer.Item).toEqual({ pk: { S: 'x' } });
    } finally {
      client.destroy();
      server.close();
    }
  });
});

describe('sdkFilesReadWithoutFsPromises', () => {
  it('has the SDK read its shared config file without node:fs/promises', async () => {
    // Prepare: a profile's setting the environment leaves out
    const file = join(mkdtempSync(join(tmpdir(), 'attest-sdk-config-')), 'config');
    writeFileSync(file, '[default]\nmax_attempts = 7\n');
    vi.stubEnv('AWS_CONFIG_FILE', file);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);
    const client = new sdk.SQSClient({ region: 'eu-west-2' });

    // Act
    const attempts = await client.config.maxAttempts();

    // Assess: read from the file, and the bundle imports Node's callback API only
    expect(attempts).toBe(7);
    expect(imports.filter((path) => /fs\/promises/.test(path))).toEqual([]);
  });

  it('takes a missing file as no settings, as the SDK does', async () => {
    // Prepare
    vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), 'attest-no-such-dir', 'config'));
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);
    const client = new sdk.SQSClient({ region: 'eu-west-2' });

    // Act
    const attempts = await client.config.maxAttempts();

    // Assess: the SDK's default
    expect(attempts).toBe(3);
  });
});
