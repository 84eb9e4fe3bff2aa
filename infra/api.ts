// The HTTP API: the route table's routes (HR, acknowledgement pages, SCIM, the console), and access logs that never hold a token.
import { Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HTTP_ROUTES, type HttpFunction } from '../functions/routes.ts';
import { approximateDays, type CalendarDuration } from '../shared/core/duration.ts';

/** CloudWatch's retention periods up to a month, in days: the ones access logs may be kept for. */
const UP_TO_A_MONTH = [
  RetentionDays.ONE_DAY,
  RetentionDays.THREE_DAYS,
  RetentionDays.FIVE_DAYS,
  RetentionDays.ONE_WEEK,
  RetentionDays.TWO_WEEKS,
  RetentionDays.ONE_MONTH,
] as const;

/**
 * How long the access logs (which hold callers' IP addresses) are kept: a month, or RETAIN_AUDIT_IP
 * if shorter, rounded down to a period CloudWatch offers (a year or a month counted as
 * 365 and 30 days); never less than a day, CloudWatch's shortest.
 */
export function accessLogRetention(auditIp: CalendarDuration): RetentionDays {
  const days = Math.floor(approximateDays(auditIp));
  return [...UP_TO_A_MONTH].reverse().find((period) => period <= days) ?? RetentionDays.ONE_DAY;
}

/** The function answering each route of the table. */
export type ApiProps = Record<HttpFunction, IFunction>;

export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** `https://{id}.execute-api.{region}.amazonaws.com`, no trailing slash. */
  readonly endpoint: string;

  /** `auditIp`: RETAIN_AUDIT_IP, which bounds how long the access logs keep IP addresses. */
  constructor(scope: Construct, id: string, auditIp: CalendarDuration) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'Http', { createDefaultStage: false, description: 'attest HTTP API' });
    this.endpoint = this.httpApi.apiEndpoint;

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: accessLogRetention(auditIp) });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // Starters arrive in HR batches of tens, not thousands; this caps a runaway sender's cost.
      throttle: { burstLimit: 100, rateLimit: 50 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key (`GET /ack/{token}`) names the route without the token; the path would hold it.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            ip: AccessLogField.contextIdentitySourceIp(),
            latency: AccessLogField.contextResponseLatency(),
          }),
        ),
      },
    });

    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'Callers authenticate in the handler: HR by Standard Webhooks signature, starters by a signed single-purpose token, SCIM by bearer token, console users by an OpenID Connect session.',
    });
  }

  /**
   * Serves the route table. Apart from the constructor because the console's sign-in is registered
   * with this API's address, and the console function is configured with that sign-in: the API
   * (without routes) comes first, the functions next, the routes to them last — no cycle.
   */
  serve(props: ApiProps): void {
    // The same route table as the local gateway (local/stack.ts): functions/routes.ts.
    const payloadFormatVersion = PayloadFormatVersion.VERSION_2_0;
    const integrations = new Map<HttpFunction, HttpLambdaIntegration>();
    for (const route of HTTP_ROUTES) {
      let integration = integrations.get(route.function);
      if (!integration) {
        // Named as before the table (`Ingest`, `Ack`), so a deployed API keeps its integrations.
        const id = route.function.replace(/^./, (c) => c.toUpperCase());
        integration = new HttpLambdaIntegration(id, props[route.function], { payloadFormatVersion });
        integrations.set(route.function, integration);
      }
      this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
  }
}
