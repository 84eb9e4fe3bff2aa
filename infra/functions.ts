// How every attest function is built: Node.js 22 on arm64, an ESM bundle made by the local esbuild (never Docker).
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** How X-Ray traces the functions (context `attest:tracing`): see README, *Tracing*. */
export const TRACING_MODES = { 'pass-through': Tracing.PASS_THROUGH, active: Tracing.ACTIVE } as const;
export type TracingMode = keyof typeof TRACING_MODES;

/**
 * Modules a function imports only when first needed (`await import('#shared/…')`), by specifier,
 * each with the file it is built to beside the function's `index.mjs`. The bundle leaves the
 * specifier as it is, and a package.json in the asset maps it to that file, as the project's own
 * package.json maps it to the source under `npm start` and in tests: so their code (pdf-lib and its
 * fonts, marked) is neither read nor compiled at a cold start.
 */
export const LAZY_MODULES: Readonly<Partial<Record<FunctionName, Readonly<Record<string, string>>>>> = {
  // The receipt's PDF certificate, made at the first receipt a warm function sends.
  mailer: { '#shared/core/certificate.ts': 'certificate.mjs' },
  // Markdown, for a policy version whose text this build did not compile (an older one).
  ack: { '#shared/core/policy-markdown.ts': 'policy-markdown.mjs' },
};

/**
 * What esbuild is told for every bundle, the lazily loaded ones included. On Lambda the SDK's
 * credentials are always the function's role's, in the environment (AWS_ACCESS_KEY_ID…), which the
 * SDK's own chain tries first: the chain's other providers (SSO, profiles, web identity, the
 * container and instance endpoints) and the clients they bring (about 90 KB) are replaced by that one.
 * And no function calls an operation that streams events: the SDK's support for them (about 15 KB,
 * which its protocols import dynamically, and esbuild inlines) is replaced by a module saying so.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: true,
  // Line mapping is all a stack trace needs; embedding the sources would triple each asset.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); an ESM bundle has to provide it.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  alias: {
    '@aws-sdk/credential-provider-node': `${root}shared/adapters/lambda-credentials.ts`,
    '@smithy/core/event-streams': `${root}shared/adapters/no-event-streams.ts`,
  },
} as const;

/** The source file of a lazily loaded module's specifier (`#shared/x.ts` → `<root>shared/x.ts`). */
export function lazyModuleSource(specifier: string): string {
  const match = /^#shared\/([\w/-]+\.ts)$/.exec(specifier);
  if (!match) throw new Error(`LAZY_MODULES: ${specifier} is not a #shared/… module`);
  return `${root}shared/${match[1]}`;
}

/** A word for a POSIX shell, quoted. */
const sh = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * Shell commands building each lazily loaded module into the asset with the bundle's own settings,
 * and the package.json that maps each specifier to its file there.
 */
function buildLazyModules(modules: Readonly<Record<string, string>>, inputDir: string, outputDir: string) {
  const s = BUNDLE_SETTINGS;
  const builds = Object.entries(modules).map(([specifier, file]) =>
    [
      `${inputDir}/node_modules/.bin/esbuild`,
      lazyModuleSource(specifier),
      '--bundle',
      `--platform=${s.platform}`,
      `--format=${s.format}`,
      `--target=${s.target}`,
      '--minify',
      '--sourcemap',
      '--sources-content=false',
      `--main-fields=${s.mainFields.join(',')}`,
      ...Object.entries(s.alias).map(([from, to]) => `--alias:${from}=${to}`),
      `--banner:js=${s.banner}`,
      '--log-level=warning',
      `--outfile=${outputDir}/${file}`,
    ]
      .map(sh)
      .join(' '),
  );
  const imports = Object.fromEntries(
    Object.entries(modules).map(([specifier, file]) => [specifier, `./${file}`]),
  );
  return [
    ...builds,
    `printf '%s' ${sh(JSON.stringify({ type: 'module', imports }))} > ${sh(`${outputDir}/package.json`)}`,
  ];
}

export type FunctionName =
  | 'ingest'
  | 'mailer'
  | 'ack'
  | 'lms-push'
  | 'sweeper'
  | 'ses-events'
  | 'scim'
  | 'console';

export interface AttestFunctionProps {
  /** The folder under `functions/` whose `handler.ts` exports `handler`. */
  name: FunctionName;
  /** The function's own settings; the ones every function reads are added here. */
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** For a function invoked asynchronously: where an event goes after Lambda's retries fail. */
  deadLetterQueue?: IQueue;
  /**
   * Files of npm packages the function reads at run time (not code), copied beside the bundle into
   * its own node_modules, so they resolve there as in the source tree (`require.resolve`) and stay
   * out of the JavaScript: `['dejavu-fonts-ttf/ttf/DejaVuSans.ttf']`.
   */
  packageFiles?: readonly string[];
}

/** Shell commands copying each package file into the bundle, with its package's licence. */
function copyPackageFiles(files: readonly string[], inputDir: string, outputDir: string): string[] {
  return files.flatMap((file) => {
    if (!/^[a-z0-9@][\w@./-]*$/i.test(file) || file.includes('..')) {
      throw new Error(`packageFiles: ${file} is not a plain path inside a package`);
    }
    const pkg = file.startsWith('@') ? file.split('/').slice(0, 2).join('/') : (file.split('/')[0] ?? file);
    const from = `${inputDir}/node_modules/${file}`;
    const to = `${outputDir}/node_modules/${file}`;
    return [
      `mkdir -p "$(dirname "${to}")"`,
      `cp "${from}" "${to}"`,
      `cp "${inputDir}/node_modules/${pkg}/LICENSE" "${outputDir}/node_modules/${pkg}/LICENSE"`,
    ];
  });
}

/** The tracing mode of context `attest:tracing` (default `pass-through`); any other value stops the synth. */
function tracingOf(scope: Construct): Tracing {
  const mode = String(scope.node.tryGetContext('attest:tracing') ?? 'pass-through');
  if (!(mode in TRACING_MODES)) {
    throw new Error(
      `attest:tracing: expected ${Object.keys(TRACING_MODES).join(' or ')}, not ${JSON.stringify(mode)}`,
    );
  }
  return TRACING_MODES[mode as TracingMode];
}

export function attestFunction(scope: Construct, id: string, props: AttestFunctionProps): NodejsFunction {
  const lazy = LAZY_MODULES[props.name] ?? {};
  const afterBundling = (inputDir: string, outputDir: string) => [
    ...copyPackageFiles(props.packageFiles ?? [], inputDir, outputDir),
    ...(Object.keys(lazy).length ? buildLazyModules(lazy, inputDir, outputDir) : []),
  ];
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  const fn = new NodejsFunction(scope, id, {
    entry: `${root}functions/${props.name}/handler.ts`,
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: `${root}package-lock.json`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    ...(props.deadLetterQueue && { deadLetterQueue: props.deadLetterQueue }),
    timeout: props.timeout ?? Duration.seconds(30),
    tracing: tracingOf(scope),
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'attest',
      LOG_LEVEL: 'INFO',
      ...props.environment,
    },
    bundling: {
      format: OutputFormat.ESM,
      target: BUNDLE_SETTINGS.target,
      minify: BUNDLE_SETTINGS.minify,
      // The maps ship in the asset, but Node does not read them at start (no --enable-source-maps):
      // a logged error's stack is mapped to the TypeScript then (shared/adapters/stack-map.ts).
      sourceMap: BUNDLE_SETTINGS.sourcemap,
      sourcesContent: BUNDLE_SETTINGS.sourcesContent,
      mainFields: [...BUNDLE_SETTINGS.mainFields],
      banner: BUNDLE_SETTINGS.banner,
      esbuildArgs: {
        '--alias': Object.entries(BUNDLE_SETTINGS.alias).map(([from, to]) => `${from}=${to}`),
      },
      forceDockerBundling: false,
      ...((props.packageFiles?.length || Object.keys(lazy).length) && {
        commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling },
      }),
      // Bundle the SDK too, so the version tested is the version run (the default leaves @aws-sdk/* to the
      // runtime): with externalModules given, only the lazily loaded modules are left out.
      externalModules: Object.keys(lazy),
      bundleAwsSDK: true,
    },
  });
  Validations.of(fn).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The managed policy for writing the function’s own logs; it grants nothing else.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) has no resource-level permissions.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the code is built and tested for; moving runtime is a tested change.',
    },
  );
  return fn;
}
