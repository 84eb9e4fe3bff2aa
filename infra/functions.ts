// How every attest function is built: Node.js 22 on arm64, an ESM bundle made by the local esbuild (never Docker).
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

const root = fileURLToPath(new URL('..', import.meta.url));

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

export function attestFunction(scope: Construct, id: string, props: AttestFunctionProps): NodejsFunction {
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
    tracing: Tracing.ACTIVE,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'attest',
      LOG_LEVEL: 'INFO',
      // Stack traces point at the TypeScript source; the maps carry no source text (see sourcesContent).
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      // Line mapping is all a stack trace needs; embedding the sources would triple each asset.
      sourcesContent: false,
      mainFields: ['module', 'main'],
      // Some dependencies are CommonJS and call require(); an ESM bundle has to provide it.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      forceDockerBundling: false,
      ...(props.packageFiles?.length && {
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            copyPackageFiles(props.packageFiles ?? [], inputDir, outputDir),
        },
      }),
      // Bundle the SDK too, so the version tested is the version run (the default leaves @aws-sdk/* to the runtime).
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
