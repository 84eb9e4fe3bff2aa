// The local SES mailbox simulator: mail to bounce@ / complaint@simulator.amazonses.com becomes the SES event SNS delivers, which the ses-events use case handles as on AWS.
import type { SNSEventRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandleSesEvent } from '#shared/core/bounces.ts';
import type { Manager } from '#shared/core/model.ts';
import { SIMULATOR, sendEvent, simulatedEvent, snsEvent } from '../../../local/ses-simulator.ts';
import { aStarter, FakeClock, FakeQueue, seededStore, silentLogger } from '../../support/fakes.ts';

const AT = new Date('2026-11-24T10:00:05.000Z');
const MANAGER: Manager = { name: 'Grace Hopper', email: 'grace@example.org' };

/** An email as the local SES mailbox stores it, with the headers attest's mailer sets. */
function storedEmail(to: string, assignmentId = 'asg-1', kind = 'invite') {
  return {
    messageId: 'local-msg-1',
    destination: { to: [to] },
    headers: [
      { name: 'X-Attest-Assignment', value: assignmentId },
      { name: 'X-Attest-Kind', value: kind },
    ],
    at: Date.parse('2026-11-24T10:00:00.000Z'),
  };
}

describe('simulatedEvent', () => {
  it('answers mail to bounce@ with a permanent Bounce event tagged from the X-Attest-* headers', () => {
    // Prepare
    const email = storedEmail(SIMULATOR.bounce, 'asg-42', 'reminder');

    // Act
    const event = simulatedEvent(email, AT);

    // Assess
    expect(event).toEqual({
      eventType: 'Bounce',
      mail: {
        timestamp: AT.toISOString(),
        messageId: 'local-msg-1',
        destination: [SIMULATOR.bounce],
        tags: { 'ses:configuration-set': ['attest'], assignment: ['asg-42'], kind: ['reminder'] },
      },
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: SIMULATOR.bounce, status: '5.1.1', action: 'failed' }],
        timestamp: AT.toISOString(),
      },
    });
  });

  it('answers mail to complaint@ with a Complaint event', () => {
    // Prepare
    const email = storedEmail(SIMULATOR.complaint, 'asg-7', 'invite');

    // Act
    const event = simulatedEvent(email, AT);

    // Assess
    expect(event).toEqual({
      eventType: 'Complaint',
      mail: {
        timestamp: AT.toISOString(),
        messageId: 'local-msg-1',
        destination: [SIMULATOR.complaint],
        tags: { 'ses:configuration-set': ['attest'], assignment: ['asg-7'], kind: ['invite'] },
      },
      complaint: {
        complainedRecipients: [{ emailAddress: SIMULATOR.complaint }],
        timestamp: AT.toISOString(),
      },
    });
  });

  it('matches the simulator address whatever its case, and the headers whatever theirs', () => {
    // Prepare
    const email = {
      messageId: 'local-msg-2',
      destination: { to: ['someone@example.org', 'Bounce@Simulator.AmazonSES.com'] },
      headers: [
        { name: 'x-attest-assignment', value: 'asg-9' },
        { name: 'X-ATTEST-KIND', value: 'invite' },
      ],
    };

    // Act
    const event = simulatedEvent(email, AT);

    // Assess
    expect(event).toMatchObject({
      eventType: 'Bounce',
      mail: {
        destination: ['someone@example.org', SIMULATOR.bounce],
        tags: { assignment: ['asg-9'], kind: ['invite'] },
      },
    });
  });

  it('leaves out the assignment and kind tags when the email has no X-Attest-* headers', () => {
    // Prepare
    const email = { messageId: 'local-msg-3', destination: { to: [SIMULATOR.bounce] } };

    // Act
    const event = simulatedEvent(email, AT);

    // Assess
    expect(event).toMatchObject({ mail: { tags: { 'ses:configuration-set': ['attest'] } } });
    expect((event as { mail: { tags: unknown } }).mail.tags).toEqual({ 'ses:configuration-set': ['attest'] });
  });

  it.each(['ada@example.org', 'success@simulator.amazonses.com', 'ooto@simulator.amazonses.com'])(
    'answers nothing for mail to %s',
    (to) => {
      // Prepare
      const email = storedEmail(to);

      // Act
      const event = simulatedEvent(email, AT);

      // Assess
      expect(event).toBeUndefined();
    },
  );
});

describe('sendEvent', () => {
  it('reports every email as SES’s Send event, tagged with its assignment, kind and attempt', () => {
    // Prepare
    const email = storedEmail('ada@example.org', 'asg-42', 'invite');
    email.headers.push({ name: 'x-attest-attempt', value: '-Tq3Jm0aWkE' });

    // Act
    const event = sendEvent(email, AT);

    // Assess
    expect(event).toEqual({
      eventType: 'Send',
      mail: {
        timestamp: AT.toISOString(),
        messageId: 'local-msg-1',
        destination: ['ada@example.org'],
        tags: {
          'ses:configuration-set': ['attest'],
          assignment: ['asg-42'],
          kind: ['invite'],
          attempt: ['-Tq3Jm0aWkE'],
        },
      },
      send: {},
    });
  });

  it('tells the ses-events use case which message id the attempt became', async () => {
    // Prepare
    const seeded = await seededStore({ status: 'invited' });
    const handleSesEvent = makeHandleSesEvent({
      store: seeded.store,
      mailQueue: new FakeQueue(),
      clock: new FakeClock(AT),
      logger: silentLogger,
    });
    const email = storedEmail('ada@example.org', seeded.assignment.assignmentId, 'invite');
    email.headers.push({ name: 'X-Attest-Attempt', value: 'Tq3Jm0aWkE' });
    const delivered = snsEvent(sendEvent(email, AT));

    // Act
    const outcome = await handleSesEvent(JSON.parse(delivered.Records[0]?.Sns.Message as string));

    // Assess
    expect(outcome).toBe('ignored');
    expect(await seeded.store.getSentAttempt(seeded.assignment.assignmentId, 'Tq3Jm0aWkE')).toBe(
      'local-msg-1',
    );
  });
});

describe('snsEvent', () => {
  it('wraps an SES event as SNS delivers it to Lambda, the event as JSON in the message', () => {
    // Prepare
    const message = simulatedEvent(storedEmail(SIMULATOR.bounce), AT) as Record<string, unknown>;

    // Act
    const event = snsEvent(message);

    // Assess
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0] as SNSEventRecord;
    expect(record.EventSource).toBe('aws:sns');
    expect(record.EventVersion).toBe('1.0');
    expect(record.Sns.Type).toBe('Notification');
    expect(record.Sns.TopicArn).toMatch(/^arn:aws:sns:/);
    expect(record.EventSubscriptionArn.startsWith(record.Sns.TopicArn)).toBe(true);
    expect(record.Sns.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(record.Sns.Timestamp))).toBe(false);
    expect(JSON.parse(record.Sns.Message)).toEqual(message);
  });

  it('gives each notification its own SNS message id', () => {
    // Prepare
    const message = { eventType: 'Send', mail: { messageId: 'm' } };

    // Act
    const ids = [snsEvent(message), snsEvent(message)].map((e) => e.Records[0]?.Sns.MessageId);

    // Assess
    expect(new Set(ids).size).toBe(2);
  });
});

describe('simulator → SNS → handleSesEvent', () => {
  /** A starter whose address on file is the simulator's, as when trying bounces locally. */
  async function setup(email: string) {
    const seeded = await seededStore({ status: 'invited', dueKind: 'reminder' });
    await seeded.store.putStarter(aStarter({ manager: MANAGER, email }));
    seeded.store.writes.length = 0;
    const mailQueue = new FakeQueue();
    const clock = new FakeClock('2026-11-24T10:00:10.000Z');
    const handleSesEvent = makeHandleSesEvent({
      store: seeded.store,
      mailQueue,
      clock,
      logger: silentLogger,
    });
    return { ...seeded, mailQueue, handleSesEvent };
  }

  it('stops the chase for an invite sent to the bounce simulator', async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup(SIMULATOR.bounce);
    const sent = storedEmail(SIMULATOR.bounce, assignment.assignmentId, 'invite');
    const delivered = snsEvent(simulatedEvent(sent, AT) as Record<string, unknown>);

    // Act
    const outcome = await handleSesEvent(JSON.parse(delivered.Records[0]?.Sns.Message as string));

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      status: 'bounced',
      bounce: { reason: 'bounced', email: SIMULATOR.bounce, at: AT.toISOString() },
      dueKind: 'bounce-notice',
    });
    expect(mailQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'bounce-notice' },
    ]);
    expect(await store.getAuditTrail(assignment.assignmentId)).toEqual([
      { kind: 'bounced', at: '2026-11-24T10:00:10.000Z', detail: { messageId: 'local-msg-1' } },
    ]);
  });

  it('stops the chase for a reminder sent to the complaint simulator', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup(SIMULATOR.complaint);
    const sent = storedEmail(SIMULATOR.complaint, assignment.assignmentId, 'reminder');
    const delivered = snsEvent(simulatedEvent(sent, AT) as Record<string, unknown>);

    // Act
    const outcome = await handleSesEvent(JSON.parse(delivered.Records[0]?.Sns.Message as string));

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)?.bounce).toEqual({
      reason: 'complained',
      email: SIMULATOR.complaint,
      at: AT.toISOString(),
    });
  });

  it('leaves the chase alone when a digest to the bounce simulator bounces', async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup(SIMULATOR.bounce);
    const sent = storedEmail(SIMULATOR.bounce, assignment.assignmentId, 'digest');
    const delivered = snsEvent(simulatedEvent(sent, AT) as Record<string, unknown>);

    // Act
    const outcome = await handleSesEvent(JSON.parse(delivered.Records[0]?.Sns.Message as string));

    // Assess
    expect(outcome).toBe('ignored');
    expect(store.writes).toEqual([]);
    expect(mailQueue.sent).toEqual([]);
  });
});
