// SES's mailbox simulator, locally: mail to bounce@ / complaint@simulator.amazonses.com comes back as the SES event SNS would deliver.
import type { SNSEvent } from 'aws-lambda';

/** The simulator addresses SES itself answers with a permanent bounce or a complaint. */
export const SIMULATOR = {
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  headers?: Array<{ name: string; value: string }>;
  at?: number;
}

/** The SES event (configuration-set event publishing) for a stored email sent to a simulator address. */
export function simulatedEvent(email: StoredEmail, at: Date): Record<string, unknown> | undefined {
  const to = email.destination.to.map((a) => a.toLowerCase());
  const header = (name: string) => email.headers?.find((h) => h.name.toLowerCase() === name)?.value;
  const tags: Record<string, string[]> = { 'ses:configuration-set': ['attest'] };
  const assignment = header('x-attest-assignment');
  const kind = header('x-attest-kind');
  if (assignment) tags.assignment = [assignment];
  if (kind) tags.kind = [kind];
  const mail = { timestamp: at.toISOString(), messageId: email.messageId, destination: to, tags };
  if (to.includes(SIMULATOR.bounce)) {
    return {
      eventType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: SIMULATOR.bounce, status: '5.1.1', action: 'failed' }],
        timestamp: at.toISOString(),
      },
    };
  }
  if (to.includes(SIMULATOR.complaint)) {
    return {
      eventType: 'Complaint',
      mail,
      complaint: {
        complainedRecipients: [{ emailAddress: SIMULATOR.complaint }],
        timestamp: at.toISOString(),
      },
    };
  }
  return undefined;
}

/** Wraps an SES event as SNS delivers it to a Lambda subscriber. */
export function snsEvent(message: Record<string, unknown>): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-2:000000000000:attest-ses-events:local',
        Sns: {
          Type: 'Notification',
          MessageId: crypto.randomUUID(),
          TopicArn: 'arn:aws:sns:eu-west-2:000000000000:attest-ses-events',
          Subject: 'Amazon SES Email Event Notification',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/**
 * Watches the local mailbox and, for each new email to a simulator address, calls `deliver` with
 * the SNS event SES would have published: the same ses-events handler runs as on AWS.
 */
export function startSesSimulator(
  mailbox: string,
  deliver: (event: SNSEvent) => Promise<unknown>,
  onError: (error: unknown) => void,
  intervalMs = 500,
) {
  const seen = new Set<string>();
  // Only what arrived since the last look (the mailbox stamps emails in whole seconds; a second of
  // overlap, which `seen` de-duplicates, misses nothing).
  let since = 0;
  let running: Promise<void> | undefined;
  const tick = async () => {
    const now = Math.floor(Date.now() / 1000) - 1;
    const store = (await (await fetch(`${mailbox}/store?since=${since}`)).json()) as {
      emails: StoredEmail[];
    };
    since = now;
    for (const email of store.emails) {
      if (seen.has(email.messageId)) continue;
      seen.add(email.messageId);
      const event = simulatedEvent(email, new Date());
      if (event) await deliver(snsEvent(event));
    }
  };
  const timer = setInterval(() => {
    running ??= tick()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
