// The AWS list prices the cost figure uses, every one named here and nowhere else: on-demand, no free tier, one region.

/**
 * The region priced: Europe (London), where a UK organisation's staff data would live. The prices
 * are AWS's public on-demand list prices for eu-west-2 as published on each service's pricing page
 * (https://aws.amazon.com/<service>/pricing/), as of 2026-12-02 as far as known here: this machine
 * has no internet, so they were not re-read today — check them before quoting a figure. DynamoDB's
 * are those after its November 2024 on-demand price cut. Free tiers are left out (they are per
 * account, not per starter). Cross-checked on 2 December 2026 against stored copies of published
 * pages (not AWS's eu-west-2 page itself): the cut (50 %, from 1 November 2024) and us-east-1's
 * on-demand prices after it ($0.625 a million write units, $0.125 read), of which these are 1.19
 * times, London's usual premium; the HTTP API's $1.00 a million in us-east-1 (this is 1.04×).
 */
export const PRICES = {
  region: 'eu-west-2',
  asOf: '2026-12-02',
  source:
    'aws.amazon.com/{dynamodb,lambda,sqs,cloudwatch,xray,ses,api-gateway}/pricing, eu-west-2, on-demand',
  dynamodb: {
    /** One write request unit: a write of up to 1 KB (an index's write is one more per 1 KB it projects). */
    perMillionWriteRequestUnits: 0.7423,
    /** One read request unit: a strongly consistent read of up to 4 KB, or two eventually consistent. */
    perMillionReadRequestUnits: 0.1485,
  },
  lambda: {
    perMillionRequests: 0.2,
    /** Arm (Graviton) functions, the first 6 billion GB-seconds a month. */
    perGbSecondArm64: 0.0000133334,
    /** x86 functions, likewise. */
    perGbSecondX86: 0.0000166667,
  },
  sqs: {
    /** Standard queues, per request of up to 64 KB (send, receive, delete each one). */
    perMillionRequests: 0.4,
  },
  apiGateway: {
    /** HTTP APIs, the first 300 million requests a month. */
    perMillionHttpRequests: 1.04,
  },
  cloudWatchLogs: {
    /** Standard log class, ingestion. */
    perGbIngested: 0.5295,
    /** Archived (stored), per GB-month; logs compress, so charging the raw bytes is an upper bound. */
    perGbMonthStored: 0.0315,
  },
  xray: {
    /** Traces recorded. */
    perMillionTracesRecorded: 5.0,
  },
  ses: {
    /** Outbound email. */
    perThousandEmails: 0.1,
    /** Attachments (the receipt's certificate), per GB sent. */
    perGbAttachments: 0.12,
  },
} as const;

/**
 * What Lambda adds to a function's own log lines, per invocation: its platform records (start and
 * report, in the JSON log format the stack sets, with X-Ray's trace id) — about this many bytes, an
 * estimate, not a price; and per log event CloudWatch Logs counts 26 bytes of metadata.
 */
export const LAMBDA_PLATFORM_LOG_BYTES = 700;
export const LOG_EVENT_OVERHEAD_BYTES = 26;
