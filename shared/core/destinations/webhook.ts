// The signed webhook destination: a `policy.acknowledged` event POSTed to the LMS, signed per Standard Webhooks.
import { randomUUID } from 'node:crypto';
import { evidenceLanguage } from '../language.ts';
import type { LmsWebhook } from '../lms-payload.ts';
import { type Assignment, type Evidence, methodOf, type Starter } from '../model.ts';
import { secureUrl } from '../validation.ts';
import { checkWebhookSecrets, makeWebhookSigner, type WebhookSigner } from '../webhooks.ts';
import * as z from '../zod.ts';
import { deliveryIds } from './delivery-ids.ts';
import {
  answeredByStatus,
  type ChannelTest,
  defineDestination,
  type RequestChannel,
  type TestSubject,
} from './destination.ts';

/** The type of the test event: a receiver ignores it, as it ignores any type it does not know. */
export const TEST_EVENT_TYPE = 'policy.test';

/** The body of `attest lms test`'s event: marked a test in its type and its data, about no agreement. */
export function testPayload(subject: TestSubject, at: Date) {
  return {
    type: TEST_EVENT_TYPE,
    timestamp: at.toISOString(),
    data: {
      test: true,
      message:
        'A test from attest (attest lms test): nobody agreed to anything; answer 2xx and record nothing.',
      employeeId: subject.employeeId,
      email: subject.email,
      givenName: subject.givenName,
      familyName: subject.familyName,
    },
  };
}

/** The webhook's test: a `policy.test` event, signed as real ones are, under a fresh id of its own. */
export function webhookTest(url: string, sign: WebhookSigner): ChannelTest {
  return async (subject, call, at) => {
    const body = JSON.stringify(testPayload(subject, at));
    const id = `msg_test_${randomUUID().replaceAll('-', '')}`;
    const headers = { 'content-type': 'application/json', ...sign(id, at, body) };
    const response = await call({ method: 'POST', url, headers, body });
    return answeredByStatus(response, 'the receiver took the signed policy.test event (2xx)');
  };
}

/** The body of the LMS webhook (DESIGN section 5, binding; published as JSON Schema in shared/schemas/). */
export function completionPayload(
  assignment: Assignment,
  starter: Starter,
  evidence: Evidence,
  at: Date,
): LmsWebhook {
  return {
    type: 'policy.acknowledged',
    timestamp: at.toISOString(),
    data: {
      assignmentId: assignment.assignmentId,
      employeeId: starter.employeeId,
      email: starter.email,
      givenName: starter.givenName,
      familyName: starter.familyName,
      policy: {
        id: evidence.policyId,
        version: evidence.policyVersion,
        title: evidence.policyTitle,
        sha256: evidence.policySha256,
      },
      acknowledgedAt: evidence.acknowledgedAt,
      evidenceId: evidence.evidenceId,
      method: methodOf(evidence),
      // Only when the request had a sign-by date (the policy's `due:`).
      ...(assignment.signBy && { dueAt: assignment.signBy }),
      locale: evidenceLanguage(evidence),
    },
  };
}

/** The webhook: the payload POSTed, signed per Standard Webhooks with a fresh timestamp per attempt. */
export function makeWebhookChannel(url: string, sign: WebhookSigner): RequestChannel {
  const idOf = (assignment: Assignment) => assignment.webhook?.webhookId as string;
  return {
    idOf,
    test: webhookTest(url, sign),
    request(assignment, starter, evidence, at) {
      const body = JSON.stringify(completionPayload(assignment, starter, evidence, at));
      const headers = { 'content-type': 'application/json', ...sign(idOf(assignment), at, body) };
      return { method: 'POST', url, headers, body };
    },
  };
}

export const webhook = defineDestination({
  ...deliveryIds.webhook,
  settings: z.object({
    // Signed completions leave only over TLS; plain http is allowed for a receiver on this machine.
    LMS_WEBHOOK_URL: z.optional(secureUrl),
  }),
  missing: (settings) => (settings.LMS_WEBHOOK_URL === undefined ? [{ setting: 'LMS_WEBHOOK_URL' }] : []),
  secrets: [
    {
      name: 'LMS_WEBHOOK_SECRET',
      id: 'LmsWebhookSecret',
      description: 'attest: Standard Webhooks secret for LMS completions (give it to the LMS)',
      rotation:
        'Shared with the LMS: rotating it alone would break delivery until the LMS is given the new value.',
      check: (value) => checkWebhookSecrets('LMS_WEBHOOK_SECRET', value),
    },
  ],
  parameters: [
    {
      id: 'LmsWebhookUrl',
      setting: 'LMS_WEBHOOK_URL',
      description: 'Where completions are POSTed (https only)',
      allowedPattern: '^https://.+',
    },
  ],
  channel: (settings, secrets) =>
    makeWebhookChannel(
      settings.LMS_WEBHOOK_URL as string,
      makeWebhookSigner(secrets.LMS_WEBHOOK_SECRET as string),
    ),
});
