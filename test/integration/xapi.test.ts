// Both LMS destinations at once, on a stack of its own: the signed webhook and an xAPI statement to the demo LRS, through outages and a crash between sending and recording.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { makeWebhookChannel } from '#shared/core/destinations/webhook.ts';
import {
  COMPLETED,
  EVIDENCE_EXTENSION,
  makeXapiChannel,
  SHA256_EXTENSION,
} from '#shared/core/destinations/xapi.ts';
import { newEvidenceId } from '#shared/core/ids.ts';
import type { Evidence } from '#shared/core/model.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import { type StoredStatement, xapiStatementSchema } from '../../local/lrs.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  attestOn,
  evidenceOn,
  invitedOn,
  outageOn,
  QUICK_LMS,
  receiverOf,
  signsOn,
  usePrivateStack,
  waitFor,
} from '../support/local.ts';

let stack: LocalStack;

usePrivateStack({ LMS_MODE: 'webhook,xapi', ...QUICK_LMS, REDRIVE_AFTER: 'PT3S' }, (s) => {
  stack = s;
});

const cli = (...argv: string[]) => attestOn(stack, argv);
const outage = (status?: number, only?: 'webhook' | 'xapi') => outageOn(stack, status, only);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const receiver = () => receiverOf(stack);

/** The webhooks that reached the LMS for an assignment. */
async function webhooksFor(id: string) {
  return (await receiver()).received.filter((c) => c.payload.data.assignmentId === id);
}

function directStore() {
  const client = new DynamoDBClient({
    endpoint: stack.urls.dynamodb,
    region: stack.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return makeDynamoStore(stack.env.TABLE_NAME as string, client);
}

const invited = () => invitedOn(stack);
const signs = () => signsOn(stack);

const report = (id: string) =>
  evidenceOn<{
    evidence: Evidence;
    webhook: Record<string, unknown> & { state: string; webhookId: string };
    xapi: Record<string, unknown> & { state: string; statementId: string; attempts: number };
    audit: Array<{ kind: string; detail: Record<string, string> }>;
  }>(stack, id);

const statementOf = async (statementId: string) =>
  (await receiver()).statements.filter((s) => s.statement.id === statementId);

describe('an agreement with both destinations configured', () => {
  it('reaches the LMS as a webhook and the LRS as a valid xAPI 1.0.3 statement, each once', async () => {
    // Act
    const { id, employeeId } = await signs();

    // Assess
    const found = await waitFor('both deliveries', async () => {
      const r = await report(id);
      return r.webhook.state === 'delivered' && r.xapi?.state === 'delivered' ? r : undefined;
    });
    expect(found.xapi.statementId).toBe(statementIdFor(found.evidence.evidenceId));
    const [stored] = await statementOf(found.xapi.statementId);
    expect(stored).toBeDefined();
    const statement = stored?.statement as StoredStatement['statement'];
    // Valid by the spec's rules (the demo LRS refuses anything else), and saying what it should.
    const { stored: _stored, ...sent } = statement;
    expect(xapiStatementSchema.safeParse(sent).error).toBeUndefined();
    expect(statement).toMatchObject({
      id: found.xapi.statementId,
      actor: {
        objectType: 'Agent',
        account: { homePage: stack.env.XAPI_ACCOUNT_HOMEPAGE, name: employeeId },
      },
      verb: { id: COMPLETED },
      object: {
        objectType: 'Activity',
        id: `urn:attest:policies/safe-internet-use/versions/${found.evidence.policyVersion}`,
      },
      result: { completion: true },
      timestamp: found.evidence.acknowledgedAt,
      context: {
        extensions: {
          [EVIDENCE_EXTENSION]: found.evidence.evidenceId,
          [SHA256_EXTENSION]: found.evidence.policySha256,
        },
      },
    });
    expect(statement.actor).not.toHaveProperty('mbox');
    expect(stored?.attempts).toBe(1);
    expect(await webhooksFor(id)).toHaveLength(1);
    const delivered = found.audit.filter((e) => e.kind === 'delivered').map((e) => e.detail.destination);
    expect(delivered.sort()).toEqual(['webhook', 'xapi']);
    const status = await cli('lms', 'status', id);
    expect(status.out).toMatch(/^webhook {2}delivered {2}attempts 1/m);
    expect(status.out).toMatch(/^xapi {2}delivered {2}attempts 1/m);
  });

  it('retries the LRS through an outage and stores the statement once, under the id fixed at signing', async () => {
    // Prepare
    await outage(500, 'xapi');
    let id: string;
    try {
      ({ id } = await signs());
      await waitFor('two refused attempts', async () => {
        const r = await report(id);
        return r.xapi.attempts >= 2 ? r : undefined;
      });
    } finally {
      // Act: the LRS recovers
      await outage();
    }

    // Assess
    const r = await waitFor('the statement', async () => {
      const found = await report(id);
      return found.xapi.state === 'delivered' && found.webhook.state === 'delivered' ? found : undefined;
    });
    await sleep(2_000);
    const stored = await statementOf(r.xapi.statementId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.attempts).toBe(1);
    // The webhook went through at once, unaffected.
    expect(r.webhook).toMatchObject({ attempts: 1 });
    expect(await webhooksFor(id)).toHaveLength(1);
  });

  it('retries a statement whose answer came after the timeout, and the LRS keeps one copy', async () => {
    // Prepare: the LRS (and the LMS) take each request but answer after 2.5 s, beyond the 1 s timeout
    await fetch(`${stack.urls.lms}/slow?ms=2500`, { method: 'PUT' });
    let id: string;
    try {
      ({ id } = await signs());
      await waitFor('an attempt that timed out', async () => {
        const r = await report(id);
        return r.xapi.attempts >= 1 && r.xapi.lastStatus === null ? r : undefined;
      });
    } finally {
      // Act: quick again
      await fetch(`${stack.urls.lms}/slow`, { method: 'DELETE' });
    }

    // Assess
    const r = await waitFor('the statement recorded', async () => {
      const found = await report(id);
      return found.xapi.state === 'delivered' ? found : undefined;
    });
    expect(r.xapi.attempts).toBeGreaterThanOrEqual(2);
    const stored = await statementOf(r.xapi.statementId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.attempts).toBeGreaterThanOrEqual(2);
  });

  it('keeps each destination to itself: a rejecting LRS dead-letters the statement, not the webhook', async () => {
    // Prepare: the LRS refuses; the LMS's webhook endpoint is fine
    await outage(400, 'xapi');
    let id: string;
    try {
      ({ id } = await signs());
      await waitFor('the statement dead-lettered', async () => {
        const found = await report(id);
        return found.xapi.state === 'dead' ? found : undefined;
      });
    } finally {
      await outage();
    }
    const r = await waitFor('the webhook delivered', async () => {
      const found = await report(id);
      return found.webhook.state === 'delivered' ? found : undefined;
    });
    expect(r.xapi).toMatchObject({ deadLetter: { reason: 'rejected', status: 400 } });
    expect((await cli('lms', 'dead-letters', '--destination', 'webhook')).out).not.toContain(id);
    const listed = await cli('lms', 'dead-letters', '--destination', 'xapi');
    expect(listed.out).toContain(`${id}  xapi  dead`);

    // Act
    const replay = await cli('lms', 'replay', '--assignment', id, '--destination', 'xapi');

    // Assess
    expect(replay.out).toBe('Replaying 1 deliveries; the sweeper sends them on its next run.');
    const done = await waitFor('the replayed statement', async () => {
      const found = await report(id);
      return found.xapi.state === 'delivered' ? found : undefined;
    });
    expect(await statementOf(done.xapi.statementId)).toHaveLength(1);
    expect((await cli('lms', 'dead-letters', '--destination', 'xapi')).out).not.toContain(id);
  });
});

describe('a crash between sending and recording', () => {
  it('is re-driven from the table, and the receivers de-duplicate by id', async () => {
    // Prepare: an agreement recorded with both deliveries owed, whose queue messages were lost
    const store = directStore();
    const { id } = await invited();
    const evidenceId = newEvidenceId();
    const assignment = await store.getAssignment(id);
    const now = new Date();
    await store.recordAcknowledgement(
      id,
      {
        evidenceId,
        acknowledgedAt: now.toISOString(),
        policyId: 'safe-internet-use',
        policyVersion: assignment?.policyVersion as number,
        policyTitle: 'Safe Internet Use – Guidance for Staff',
        policySha256: assignment?.policySha256 as string,
        statement: 'I agree.',
        typedName: 'Ada',
        ipAddress: '127.0.0.1',
        userAgent: 'test',
        tokenId: 'tok',
        messageId: null,
      },
      {
        webhook: { webhookId: `msg_${evidenceId.slice(3)}` },
        xapi: { statementId: statementIdFor(evidenceId) },
      },
      new Date(now.getTime() + 2_000),
    );

    // Act: a worker claims each delivery, sends it, and dies before recording the answer
    const channels = {
      webhook: makeWebhookChannel(
        stack.env.LMS_WEBHOOK_URL as string,
        makeWebhookSigner(stack.env.LMS_WEBHOOK_SECRET as string),
      ),
      xapi: makeXapiChannel({
        endpoint: stack.env.LRS_ENDPOINT as string,
        username: stack.env.LRS_USERNAME as string,
        password: stack.env.LRS_PASSWORD as string,
        accountHomePage: stack.env.XAPI_ACCOUNT_HOMEPAGE as string,
        actor: 'account',
        activityBase: 'urn:attest:policies/',
      }),
    };
    const http = makeHttpClient();
    for (const kind of ['webhook', 'xapi'] as const) {
      const claimed = await store.claimWork(id, kind, new Date(), new Date(Date.now() + 1_000));
      expect(claimed).toBeDefined();
      const starter = await store.getStarter(claimed?.starterId as string);
      const request = channels[kind].request(
        claimed as never,
        starter as never,
        claimed?.ack as Evidence,
        new Date(),
      );
      expect((await http.send(request, 5_000)).status).toBe(204);
    }
    const crashed = await report(id);
    expect(crashed.webhook).toMatchObject({ state: 'pending', attempts: 0 });
    expect(crashed.xapi).toMatchObject({ state: 'pending', attempts: 0 });

    // Assess: the sweeper re-drives both once the lease lapses; each receiver keeps one copy
    const done = await waitFor('the re-driven deliveries', async () => {
      const r = await report(id);
      return r.webhook.state === 'delivered' && r.xapi.state === 'delivered' ? r : undefined;
    });
    expect(done.webhook.attempts).toBe(1);
    expect(done.xapi.attempts).toBe(1);
    const webhooks = await webhooksFor(id);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]?.attempts).toBe(2);
    const stored = await statementOf(statementIdFor(evidenceId));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.attempts).toBe(2);
  });
});
