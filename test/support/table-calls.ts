// What the functions off the bench's paths send to DynamoDB — SCIM, the mailer, ses-events, the console and the sweeper — recorded by the bench's counting proxy while their real handlers run, one call at a time, in a process of their own.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { makeSealer, SESSION_COOKIE } from '#shared/edge/console/session.ts';
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { sqsRecord, startCountedStack } from '../../bench/calls.ts';
import { invoked } from '../../local/invocation.ts';
import { SIMULATOR, sendEvent, simulatedEvent, snsEvent } from '../../local/ses-simulator.ts';
import { LOCAL_SECRETS } from '../../local/settings.ts';

/** One DynamoDB call a function made: its operation, the index a query read, the kinds of item written. */
export interface RecordedCall {
  fn: string;
  op: string;
  index?: string;
  items?: string[];
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function httpEvent(
  method: string,
  path: string,
  init: { query?: string; headers?: Record<string, string>; body?: string; cookies?: string[] } = {},
): HttpEvent {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: init.query ?? '',
    headers: init.headers ?? {},
    ...(init.cookies && { cookies: init.cookies }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'grants',
      domainName: 'attest.example',
      domainPrefix: 'attest',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'table-calls' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(init.body !== undefined && { body: init.body, isBase64Encoded: false }),
  } as HttpEvent;
}

function scimUser(suffix: string, email: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: `user.${suffix}@example.org`,
    name: { givenName: 'Sam', familyName: 'Scimson' },
    emails: [{ type: 'work', primary: true, value: email }],
    active: true,
    [ENTERPRISE]: { employeeNumber: `G-${suffix}`, department: 'Fostering' },
  };
}

/**
 * Starts dynalite behind the counting proxy, fauxqs and the local SES, loads the real handlers with
 * settings of their own, and drives: SCIM creates three users (one at SES's bounce address), lists
 * them, changes one's email and deletes it; the mailer sends the invites; ses-events hears SES's
 * send and bounce events; the console shows its pages and an export, and an admin resends an
 * invite and records an agreement on a starter's behalf; the sweeper sweeps. Policy versions are
 * published beforehand, uncounted.
 */
export async function driveOthers(): Promise<RecordedCall[]> {
  const stack = await startCountedStack({
    ORGANISATION_NAME: 'Grants Council',
    LMS_MODE: 'webhook',
    LMS_WEBHOOK_URL: 'https://lms.example/hooks/attest',
    // Owed work is due a second after it is written, so the sweep below has some to re-drive.
    REDRIVE_AFTER: 'PT1S',
    // A resend is held to this after the invite, so the console's below may come a second after.
    FRESH_LINK_INTERVAL: 'PT1S',
    OIDC_ISSUER: 'https://login.example',
    OIDC_CLIENT_ID: 'attest-console',
    OIDC_GROUPS_CLAIM: 'groups',
    POWERTOOLS_METRICS_DISABLED: 'true',
    LOG_LEVEL: 'SILENT',
  });
  const { emulators, counter, sqs } = stack;
  /** The console's own origin, whose forms it takes (the PUBLIC_BASE_URL the stack set). */
  const origin = new URL(process.env.PUBLIC_BASE_URL as string).origin;
  try {
    const [scim, mailer, sesEvents, consoleFn, sweeper] = await Promise.all([
      import('#functions/scim/handler.ts'),
      import('#functions/mailer/handler.ts'),
      import('#functions/ses-events/handler.ts'),
      import('#functions/console/handler.ts'),
      import('#functions/sweeper/handler.ts'),
    ]);
    const handlers = {
      scim: invoked('scim', scim.handler) as (e: HttpEvent) => Promise<HttpResult>,
      mailer: invoked('mailer', mailer.handler) as (e: unknown) => Promise<unknown>,
      'ses-events': invoked('ses-events', sesEvents.handler) as (e: unknown) => Promise<unknown>,
      console: invoked('console', consoleFn.handler) as (e: HttpEvent) => Promise<HttpResult>,
      sweeper: invoked('sweeper', sweeper.handler, 60_000) as (e: unknown) => Promise<unknown>,
    };
    const call = async <T>(fn: keyof typeof handlers, event: unknown): Promise<T> => {
      counter.phase(fn);
      try {
        return (await (handlers[fn] as (e: unknown) => Promise<T>)(event)) as T;
      } finally {
        counter.phase('between');
      }
    };
    const expectStatus = (what: string, result: HttpResult, status: number) => {
      if (result.statusCode !== status)
        throw new Error(
          `${what} answered ${result.statusCode}, not ${status}: ${String(result.body).slice(0, 300)}`,
        );
      return result;
    };

    // SCIM: three users provisioned (invited through the ingest use case), listed, one changed and deleted.
    const scimRequest = (method: string, path: string, body?: unknown, query?: string) =>
      call<HttpResult>(
        'scim',
        httpEvent(method, `/scim/v2${path}`, {
          ...(query !== undefined && { query }),
          headers: {
            authorization: `Bearer ${LOCAL_SECRETS.SCIM_TOKEN}`,
            ...(body !== undefined && { 'content-type': 'application/scim+json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        }),
      );
    const bounced = randomUUID().slice(0, 8);
    const kept = randomUUID().slice(0, 8);
    const gone = randomUUID().slice(0, 8);
    expectStatus(
      'SCIM create',
      await scimRequest('POST', '/Users', scimUser(bounced, SIMULATOR.bounce)),
      201,
    );
    expectStatus(
      'SCIM create',
      await scimRequest('POST', '/Users', scimUser(kept, `user.${kept}@example.org`)),
      201,
    );
    const made = expectStatus(
      'SCIM create',
      await scimRequest('POST', '/Users', scimUser(gone, `user.${gone}@example.org`)),
      201,
    );
    const goneId = (JSON.parse(String(made.body)) as { id: string }).id;
    expectStatus(
      'SCIM search',
      await scimRequest(
        'GET',
        '/Users',
        undefined,
        `filter=${encodeURIComponent(`userName eq "user.${gone}@example.org"`)}`,
      ),
      200,
    );
    expectStatus('SCIM list', await scimRequest('GET', '/Users', undefined, 'count=10'), 200);
    expectStatus(
      'SCIM patch',
      await scimRequest('PATCH', `/Users/${goneId}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          {
            op: 'replace',
            path: 'emails',
            value: [{ type: 'work', primary: true, value: `moved.${gone}@example.org` }],
          },
        ],
      }),
      200,
    );
    expectStatus('SCIM delete', await scimRequest('DELETE', `/Users/${goneId}`), 204);

    // The mailer: every message on the mail queue, as the event source mapping hands them over.
    const drainMail = async () => {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: emulators.queues.mail,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (!Messages.length) return;
        const out = await call<{ batchItemFailures?: unknown[] }>('mailer', {
          Records: Messages.map(sqsRecord),
        });
        if (out?.batchItemFailures?.length) throw new Error('the mailer failed a message');
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: emulators.queues.mail,
            Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
      }
    };
    await drainMail();

    // ses-events: SES's word on every email sent, the bounce of the simulator's address among them.
    const { emails } = (await (await fetch(`${emulators.endpoints.ses}/store`)).json()) as {
      emails: Parameters<typeof sendEvent>[0][];
    };
    if (!emails.some((e) => e.destination.to.includes(SIMULATOR.bounce)))
      throw new Error('no invite to bounce');
    for (const email of emails) {
      await call('ses-events', snsEvent(sendEvent(email, new Date())));
      const bounce = simulatedEvent(email, new Date());
      if (bounce) await call('ses-events', snsEvent(bounce));
    }

    // The console, signed in as an admin: its pages, an export, and two actions on an assignment.
    const csrf = 'grants-csrf-token';
    const sealer = makeSealer(LOCAL_SECRETS.CONSOLE_SESSION_KEY);
    const session = {
      subject: 'grants',
      email: 'hr@attest.example',
      role: 'admin',
      csrf,
      signedInAt: Date.now(),
      seenAt: Date.now(),
    };
    const cookies = [`${SESSION_COOKIE}=${sealer.seal(SESSION_COOKIE, session)}`];
    const page = async (path: string, query = '') =>
      expectStatus(
        `GET ${path}`,
        await call<HttpResult>('console', httpEvent('GET', path, { query, cookies })),
        200,
      );
    const starterId = starterIdFor(`G-${kept}`);
    await page('/console');
    await page('/console/people', `q=${kept}`);
    await page(`/console/people/${starterId}`);
    await page(`/console/people/${starterId}/evidence.json`);
    await page(`/console/people/${starterId}/subject-access.json`);
    await page('/console/policies');
    await page('/console/deliveries');
    await page('/console/exports');
    await page('/console/exports/report.csv', 'policy=safe-internet-use&status=all');
    const act = async (action: string, assignment: string, reason: string) => {
      const body = new URLSearchParams({ csrf, assignment, reason }).toString();
      const out = await call<HttpResult>(
        'console',
        httpEvent('POST', `/console/actions/${action}`, {
          cookies,
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }),
      );
      if (out.statusCode !== 303)
        throw new Error(
          `console ${action} answered ${out.statusCode}: ${/class="notice[^>]*>([^<]*)/.exec(String(out.body))?.[1]}`,
        );
    };
    const assignment = assignmentIdFor(`G-${kept}`, 'safe-internet-use');
    await page('/console/actions/resend', `assignment=${assignment}`);
    await new Promise((r) => setTimeout(r, 1100));
    await act('resend', assignment, 'They asked for the invite again.');
    await act('accept', assignment, 'Signed the paper copy at induction.');
    await drainMail();

    // The sweeper, once the owed work written above is due.
    await new Promise((r) => setTimeout(r, 1500));
    await call('sweeper', undefined);

    return counter.calls
      .filter((c) => c.phase !== 'between' && c.phase !== 'unnamed')
      .map((c) => ({
        fn: c.phase,
        op: c.op,
        ...(c.index && { index: c.index }),
        ...(c.items && { items: c.items }),
      }));
  } finally {
    await stack.stop();
  }
}

/** driveOthers in a fresh process: each handler's module reads its settings once, at load. */
export async function recordOthers(): Promise<RecordedCall[]> {
  const dir = mkdtempSync(join(tmpdir(), 'attest-table-calls-'));
  const out = join(dir, 'calls.json');
  try {
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), DRIVE, out],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(readFileSync(out, 'utf8')) as RecordedCall[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DRIVE = '--drive-others';

// Last, once everything above is defined: run as recordOthers' child, drive the functions.
if (process.argv[2] === DRIVE) {
  writeFileSync(process.argv[3] as string, JSON.stringify(await driveOthers()));
  // The handlers' clients keep sockets open; the child's work is done.
  process.exit(0);
}
