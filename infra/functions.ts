// How every attest function is built: Node.js 22 on arm64, an ESM bundle made by the local esbuild (never Docker) as infra/bundle.ts says.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, Validations } from 'aws-cdk-lib';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FROM_LAMBDA_EXTENSION, SECRETS_FROM } from '../shared/adapters/secrets.ts';
import type { FunctionName } from './bundle.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** How X-Ray traces the functions (context `attest:tracing`): see README, *Tracing*. */
export const TRACING_MODES = { 'pass-through': Tracing.PASS_THROUGH, active: Tracing.ACTIVE } as const;
export type TracingMode = keyof typeof TRACING_MODES;

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

/**
 * The extension, as the functions that read a secret have it: the newest version this aws-cdk-lib
 * knows (its layer's ARN from CDK's region table, a mapping in the template, so synth needs no AWS
 * call), its cache keeping a secret 240 s and the function a minute more (EXTENSION_KEEP_MS) — so a key
 * rotated with `attest keys` reaches every function within five minutes, as when Powertools kept
 * it 300 s — and its log at warnings.
 */
export function secretsExtension(): ParamsAndSecretsLayerVersion {
  return ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
    secretsManagerTtl: Duration.seconds(240),
    logLevel: ParamsAndSecretsLogLevel.WARN,
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

/**
 * Builds a function's asset on this machine, never in Docker: `infra/bundle.ts` in a process of its
 * own (esbuild's API, which its plugin needs, is asynchronous and CDK's bundling is not). Its fields
 * are part of CDK's cache key for the asset, so each function's build is its own.
 */
class LocalBundle implements ILocalBundling {
  constructor(
    readonly name: FunctionName,
    readonly packageFiles: readonly string[],
  ) {}

  tryBundle(outputDir: string): boolean {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', `${root}infra/bundle.ts`, this.name, outputDir, ...this.packageFiles],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    return true;
  }
}

export function attestFunction(scope: Construct, id: string, props: AttestFunctionProps): LambdaFunction {
  // A function given a secret (by its ARN, in a setting ending _SECRET_ARN: secretArnSetting; the
  // caller grants the read) reads it through the Parameters and Secrets extension: the layer and
  // SECRETS_FROM come with the setting, so no function is given one without the other.
  const readsSecrets = Object.keys(props.environment).some((name) => name.endsWith('_SECRET_ARN'));
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  const fn = new LambdaFunction(scope, id, {
    // Everything the function runs is in its bundle, the AWS SDK too (not the runtime's copy), so the
    // version tested is the version run.
    code: Code.fromAsset(root, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        local: new LocalBundle(props.name, props.packageFiles ?? []),
        // Required by CDK, never used: the local build either succeeds or stops the synth.
        image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      },
    }),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    ...(props.deadLetterQueue && { deadLetterQueue: props.deadLetterQueue }),
    timeout: props.timeout ?? Duration.seconds(30),
    tracing: tracingOf(scope),
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    ...(readsSecrets && { paramsAndSecrets: secretsExtension() }),
    environment: {
      POWERTOOLS_SERVICE_NAME: 'attest',
      LOG_LEVEL: 'INFO',
      ...(readsSecrets && { [SECRETS_FROM]: FROM_LAMBDA_EXTENSION }),
      ...props.environment,
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
