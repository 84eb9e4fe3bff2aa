// How every attest function is built: Node.js 22 on arm64, an ESM bundle made by the local esbuild (never Docker).
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const root = fileURLToPath(new URL('..', import.meta.url));

export type FunctionName = 'ingest' | 'mailer' | 'ack' | 'lms-push' | 'sweeper';

export interface AttestFunctionProps {
  name: FunctionName;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
}

export function attestFunction(scope: Construct, id: string, props: AttestFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  return new NodejsFunction(scope, id, {
    entry: `${root}functions/${props.name}/handler.ts`,
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: `${root}package-lock.json`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.seconds(30),
    tracing: Tracing.ACTIVE,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    environment: { POWERTOOLS_SERVICE_NAME: 'attest', LOG_LEVEL: 'INFO', ...props.environment },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      mainFields: ['module', 'main'],
      // Some dependencies are CommonJS and call require(); an ESM bundle has to provide it.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      forceDockerBundling: false,
      // Bundle the SDK too, so the version tested is the version run.
      externalModules: [],
    },
  });
}
