// Starts the embedded local stack once for the whole test run: integration tests drive it over HTTP.
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Pick<LocalStack, 'urls' | 'queues' | 'env'>;
  }
}

let stack: LocalStack | undefined;

export async function setup(project: TestProject): Promise<void> {
  stack = await startLocalStack({
    // Port 0: the OS picks free ports, so tests never collide with a running `npm start`.
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    env: { LOG_LEVEL: 'SILENT', SWEEP_INTERVAL: 'PT2S', REDRIVE_AFTER: 'PT5S' },
    // An account whose quota the whole suite's emails, sent side by side, stay well within; the
    // quota's own behaviour is tested on stacks of their own (test/integration/send-rate.test.ts).
    sesQuota: { maxSendRate: 500, max24HourSend: -1 },
  });
  project.provide('stack', { urls: stack.urls, queues: stack.queues, env: stack.env });
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
