// What the AWS SDK carries for runtimes other than Node 22 on Lambda, or for settings attest never makes, replaced in every bundle by stand-ins that say so if ever reached (infra/bundle.ts adds this plugin).
import type { Plugin } from 'esbuild';

/** The error a stand-in throws when called: what was left out, and why it is never needed. */
const fails = (what: string, why: string) =>
  `throw new Error(${JSON.stringify(
    `attest bundles leave out the AWS SDK’s ${what} (infra/bundle-sdk.ts): ${why}`,
  )});`;

/**
 * Each module replaced, by its path under `@smithy/core/dist-es/submodules/`, with its stand-in:
 * the same exports, throwing only when called (the SDK imports each statically, so a stand-in
 * that threw as it loaded would break every client). Each is unreachable in a function on Lambda:
 * - the JavaScript SHA-256 and MD5 are the fallbacks of `Sha256Node` and `Md5Node` for a Node
 *   whose `node:crypto` lacks the hash (FIPS mode without MD5); Lambda's Node 22 has both, and
 *   nothing else constructs them;
 * - adaptive retry (with its rate limiter) runs only when asked for: `retryMode: 'adaptive'`,
 *   AWS_RETRY_MODE or a profile's `retry_mode`. attest's clients leave the mode to its default,
 *   standard, and the stack sets no AWS_RETRY_MODE;
 * - the region from EC2 instance metadata is looked up only when no AWS_REGION or profile names
 *   one, or for `defaultsMode: 'auto'` outside Lambda (AWS_EXECUTION_ENV unset); Lambda sets both;
 * - S3's endpoint parameters are worked out only for a client whose service is S3; no function has
 *   one (the module's other exports, S3's bucket name checks, are imported only by S3's client).
 */
const STAND_INS: Readonly<Record<string, string>> = {
  'checksum/sha256/Sha256Js.js': `export class Sha256Js {
  constructor() { ${fails('JavaScript SHA-256', 'Node’s own (node:crypto) is used on Lambda.')} }
}`,
  'checksum/md5/Md5Js.js': `export class Md5Js {
  constructor() { ${fails('JavaScript MD5', 'Node’s own (node:crypto) is used on Lambda.')} }
}`,
  'retry/util-retry/AdaptiveRetryStrategy.js': `export class AdaptiveRetryStrategy {
  constructor() { ${fails('adaptive retry mode', 'attest’s clients retry in the standard mode; unset AWS_RETRY_MODE.')} }
}`,
  'config/config-resolver/regionConfig/getInstanceMetadataRegion.js': `export const getInstanceMetadataRegion = async () => {
  ${fails('region lookup in EC2 instance metadata', 'Lambda sets AWS_REGION.')}
};`,
  'endpoints/middleware-endpoint/service-customizations/index.js': `export const resolveParamsForS3 = async () => {
  ${fails('S3 endpoint parameters', 'no attest function has an S3 client.')}
};`,
};

const escaped = Object.keys(STAND_INS).map((path) => path.replace(/[.]/g, '\\.').replace(/\//g, '[\\\\/]'));
const filter = new RegExp(
  `[\\\\/]@smithy[\\\\/]core[\\\\/]dist-es[\\\\/]submodules[\\\\/](${escaped.join('|')})$`,
);

/** The paths under `@smithy/core/dist-es/submodules/` this plugin replaces (its tests check each is bundled). */
export const SDK_STAND_IN_PATHS: readonly string[] = Object.keys(STAND_INS);

/**
 * DynamoDB's client keeps the endpoints it discovers (endpoint discovery: only with
 * AWS_ENABLE_ENDPOINT_DISCOVERY or a profile's `endpoint_discovery_enabled`, which the stack never
 * sets) in `@aws-sdk/endpoint-cache`, built on mnemonist's LRU cache — about 7.7 KB of every
 * function with a table. It looks in it at every request all the same (finding nothing), so this is
 * no throwing stand-in but the same cache on a Map: the same methods and expiry, and when full the
 * oldest key leaves rather than the least recently used (a client has a key per credentials and
 * operation, a handful against the SDK's 1,000).
 */
export const ENDPOINT_CACHE_PATH = '@aws-sdk/endpoint-cache/dist-es/EndpointCache.js';
const ENDPOINT_CACHE = `export class EndpointCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.cache = new Map();
  }
  getEndpoint(key) {
    const endpointsWithExpiry = this.get(key);
    if (!endpointsWithExpiry || endpointsWithExpiry.length === 0) return undefined;
    const endpoints = endpointsWithExpiry.map((endpoint) => endpoint.Address);
    return endpoints[Math.floor(Math.random() * endpoints.length)];
  }
  get(key) {
    if (!this.has(key)) return undefined;
    const now = Date.now();
    const endpointsWithExpiry = this.cache.get(key).filter((endpoint) => now < endpoint.Expires);
    if (endpointsWithExpiry.length === 0) {
      this.delete(key);
      return undefined;
    }
    return endpointsWithExpiry;
  }
  set(key, endpoints) {
    if (!this.cache.has(key) && this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value);
    const now = Date.now();
    this.cache.set(key, endpoints.map(({ Address, CachePeriodInMinutes }) => ({ Address, Expires: now + CachePeriodInMinutes * 60 * 1000 })));
  }
  delete(key) {
    this.cache.set(key, []);
  }
  has(key) {
    const endpoints = this.cache.get(key);
    return endpoints !== undefined && endpoints.length > 0;
  }
  clear() {
    this.cache.clear();
  }
}`;

/** Replaces each module of STAND_INS, and the endpoint cache, wherever a bundle reaches it. */
export const sdkLambdaStandIns: Plugin = {
  name: 'sdk-lambda-stand-ins',
  setup(esbuild) {
    esbuild.onLoad({ filter }, (args) => {
      const path = args.path.replace(/\\/g, '/');
      const key = Object.keys(STAND_INS).find((suffix) => path.endsWith(`/submodules/${suffix}`));
      return key === undefined ? undefined : { contents: STAND_INS[key], loader: 'js' };
    });
    esbuild.onLoad({ filter: /[\\/]@aws-sdk[\\/]endpoint-cache[\\/]dist-es[\\/]EndpointCache\.js$/ }, () => ({
      contents: ENDPOINT_CACHE,
      loader: 'js',
    }));
  },
};

/**
 * `node:fs/promises` for the SDK's reader of its shared config files (`~/.aws/config`,
 * `~/.aws/credentials`) as Node's callback `readFile`, which `node:fs` has loaded already. Each
 * client looks for the files as it is made (its defaults mode) and again for each setting the
 * environment leaves out, so every function reads them at init — and finds none on Lambda. Loading
 * `node:fs/promises` for that loads Node's file handles, watchers and readline interface (1–1.8 ms
 * alone on Node 22; see bench/bundles.ts). Only `readFile` is provided; an importer that asks for
 * anything else fails the build.
 */
export const sdkFilesReadWithoutFsPromises: Plugin = {
  name: 'sdk-files-read-without-fs-promises',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?fs\/promises$/ }, (args) =>
      /[\\/]node_modules[\\/]@(smithy|aws-sdk)[\\/]/.test(args.importer)
        ? { path: 'fs/promises', namespace: 'sdk-files-read-without-fs-promises' }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'sdk-files-read-without-fs-promises' }, () => ({
      contents: `export const readFile = (path, options) =>
  new Promise((resolve, reject) =>
    process.getBuiltinModule('node:fs').readFile(path, options, (error, data) => (error ? reject(error) : resolve(data))),
  );`,
      loader: 'js',
    }));
  },
};
