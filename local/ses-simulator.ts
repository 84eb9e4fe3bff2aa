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

/** The `mail` part of SES's events: the email's tags, which locally come from the headers the mailer set. */
function mailOf(email: StoredEmail, at: Date) {
  const to = email.destination.to.map((a) => a.toLowerCase());
  const header = (name: string) => email.headers?.find((h) => h.name.toLowerCase() === name)?.value;
  const tags: Record<string, string[]> = { 'ses:configuration-set': ['attest'] };
  for (const name of ['assignment', 'kind', 'attempt']) {
    const value = header(`x-attest-${name}`);
    if (value) tags[name] = [value];
  }
  return { timestamp: at.toISOString(), messageId: email.messageId, destination: to, tags };
}

/** The Send event SES publishes for every email it accepted (the configuration set publishes sends). */
export function sendEvent(email: StoredEmail, at: Date): Record<string, unknown> {
  return { eventType: 'Send', mail: mailOf(email, at), send: {} };
}

/** The SES event (configuration-set event publishing) for a stored email sent to a simulator address. */
export function simulatedEvent(email: StoredEmail, at: Date): Record<string, unknown> | undefined {
  const mail = mailOf(email, at);
  const to = mail.destination;
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

function inMemory() {
  const seen = new Set<string>();
  return { seen, add: (messageId: string) => void seen.add(messageId) };
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
 * Watches the local mailbox and, for each new email, calls `deliver` with the SNS events SES would
 * have published — its Send event, then a bounce or complaint for a simulator address — so the
 * same ses-events handler runs as on AWS.
 */
export function startSesSimulator(
  mailbox: string,
  deliver: (event: SNSEvent) => Promise<unknown>,
  onError: (error: unknown) => void,
  intervalMs = 500,
  /** The emails reported already (kept on disk by `npm start`, so a restart reports each once). */
  reported: { seen: Set<string>; add(messageId: string): void } = inMemory(),
) {
  // Only what arrived since the last look: the mailbox stamps each email in whole seconds as it
  // keeps it, in order, so every email not yet seen is stamped no earlier than the newest seen.
  // Those of that second come again (`reported` de-duplicates them); no earlier one does, so each
  // email — its body and attachments — crosses once or twice rather than for seconds on end.
  let since = 0;
  let running: Promise<void> | undefined;
  const tick = async () => {
    const store = (await (await fetch(`${mailbox}/store?since=${since}`)).json()) as {
      emails: StoredEmail[];
    };
    let newest = since;
    for (const email of store.emails) {
      newest = Math.max(newest, email.at ?? 0);
      if (reported.seen.has(email.messageId)) continue;
      const at = new Date();
      await deliver(snsEvent(sendEvent(email, at)));
      const event = simulatedEvent(email, at);
      if (event) await deliver(snsEvent(event));
      reported.add(email.messageId);
    }
    // Moved on only once all were reported: one whose event failed is reported again, as SNS retries.
    since = newest;
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
