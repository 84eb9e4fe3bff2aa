// The whole path on a stack of its own with unmistakable names and addresses, none of which may reach a log line, a metric, a queue message or a served URL.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, Server } from 'node:http';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { SIMULATOR } from '../../local/ses-simulator.ts';
import { LOCAL_CONSOLE_PASSWORD } from '../../local/settings.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  attestOn,
  emailsTo,
  evidenceOn,
  outageOn,
  postStarterTo,
  type StoredEmail,
  shownStamp,
  startPrivateStack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';
import { browser, formOf, post } from '../support/oidc.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const suffix = randomUUID().slice(0, 8);

/** People no log line has any business naming: every value here is searched for in what was captured. */
const PEOPLE = {
  starter: {
    givenName: 'Zephyrine',
    familyName: 'Quillfeather-Onyekachi',
    email: `zephyrine.quillfeather+${suffix}@example.org`,
    department: 'Lighthouse Kelp Cartography',
    jobTitle: 'Senior Marmalade Archivist',
    manager: { name: 'Barnabus Thistlewood', email: `barnabus.thistlewood+${suffix}@example.org` },
  },
  typedName: 'Zephyrine Q. Onyekachi',
  userAgent: `Mozilla/5.0 (X11; Linux x86_64) NoPiiProbe/7.3-${suffix}`,
  // The bounce's address is SES's simulator, shared by every test: only the names are theirs.
  bounced: {
    givenName: 'Isoldette',
    familyName: 'Vantongeren-Mbeki',
    manager: { name: 'Cornelius Ashdown-Pemberton', email: `cornelius.ashdown+${suffix}@example.org` },
  },
  provisioned: {
    givenName: 'Thaddeus',
    familyName: 'Wolstenholme-Adeyemi',
    email: `thaddeus.wolstenholme+${suffix}@example.org`,
    department: 'Orrery Maintenance Bureau',
  },
};

/** The values searched for, as written and as a URL or a form would carry them. */
function needles(): string[] {
  const values = [
    PEOPLE.starter.givenName,
    PEOPLE.starter.familyName,
    PEOPLE.starter.email,
    PEOPLE.starter.department,
    PEOPLE.starter.jobTitle,
    PEOPLE.starter.manager.name,
    PEOPLE.starter.manager.email,
    PEOPLE.typedName,
    `NoPiiProbe/7.3-${suffix}`,
    PEOPLE.bounced.givenName,
    PEOPLE.bounced.familyName,
    PEOPLE.bounced.manager.name,
    PEOPLE.bounced.manager.email,
    PEOPLE.provisioned.givenName,
    PEOPLE.provisioned.familyName,
    PEOPLE.provisioned.email,
    PEOPLE.provisioned.department,
  ];
  const forms = values.flatMap((v) => [
    v,
    encodeURIComponent(v),
    new URLSearchParams({ v }).toString().slice(2),
  ]);
  return [...new Set(forms.flatMap((f) => [f, f.toLowerCase()]))];
}

/** What the functions and the stack let out while the test runs: each piece of text with where it came from. */
const captured: Array<{ where: string; text: string }> = [];
const capture = (where: string, text: string) => captured.push({ where, text });
/** Every request a server in this process took, by the port it took it on. */
const served: Array<{ port: number | undefined; method: string; url: string }> = [];

function startCapturing(): void {
  // Powertools' Logger and Metrics write through Console instances of their own on process.stdout and
  // process.stderr (not the global console, which vitest replaces): their writes are the log lines
  // and the EMF metric lines. They are kept from the test's output: DEBUG is loud.
  for (const [name, stream] of [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) {
        capture(line.includes('"_aws"') ? `metric (${name})` : `log (${name})`, line);
      }
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write);
  }
  // Anything written to the global console (the stack's onError, a stray console.log) is a log too;
  // it is still shown, so a handler's crash is seen where it happened.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const shown = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      capture(`console.${method}`, args.map((a) => (a instanceof Error ? a.stack : String(a))).join(' '));
      shown(...args);
    });
  }
  // Queue messages as they are sent: the pollers consume them within a second.
  const send = SQSClient.prototype.send;
  vi.spyOn(SQSClient.prototype, 'send').mockImplementation(function (this: SQSClient, command, ...rest) {
    if (command instanceof SendMessageCommand || command instanceof SendMessageBatchCommand) {
      capture(
        `queue message to ${String(command.input.QueueUrl).split('/').pop()}`,
        JSON.stringify(command.input),
      );
    }
    return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof send);
  // An email's SES tags: its events carry them to CloudWatch, where they become metric dimensions.
  // (The email itself names the person, as it must.)
  const sendEmail = SESv2Client.prototype.send;
  vi.spyOn(SESv2Client.prototype, 'send').mockImplementation(function (this: SESv2Client, command, ...rest) {
    if (command instanceof SendEmailCommand) {
      capture('SES email tags', JSON.stringify(command.input.EmailTags));
      // A receipt's certificate: its file name names the policy, never the person.
      const files = command.input.Content?.Simple?.Attachments?.map((file) => file.FileName);
      if (files) capture('SES attachment file names', JSON.stringify(files));
    }
    return (sendEmail as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof sendEmail);
  // Every request any server in this process took (gateway, demo LMS, emulators), by port: the
  // gateway's are the URLs API Gateway would log.
  const emit = Server.prototype.emit;
  vi.spyOn(Server.prototype, 'emit').mockImplementation(function (this: Server, event, ...args) {
    if (event === 'request') {
      const req = args[0] as IncomingMessage;
      served.push({ port: req.socket.localPort, method: req.method ?? '', url: req.url ?? '' });
    }
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit);
}

// Chasing in seconds (a reminder at 2 s, the manager told at 4 s, the digest 2 s later), three quick
// LMS retries, every destination, and the functions as loud as they get, metrics included.
const SETTINGS = {
  LOG_LEVEL: 'DEBUG',
  LOG_FORMAT: 'json',
  POWERTOOLS_METRICS_DISABLED: 'false',
  LMS_MODE: 'webhook,xapi,moodle',
  REMINDER_OFFSETS: 'PT2S',
  ESCALATION_OFFSET: 'PT4S',
  SEND_WINDOW: 'always',
  SWEEP_INTERVAL: 'PT1S',
  DIGEST_DELAY: 'PT2S',
  REDRIVE_AFTER: 'PT5S',
  LMS_RETRY_SCHEDULE: 'PT1S,PT1S,PT1S',
  LMS_TIMEOUT: 'PT1S',
};

let stack: LocalStack;

beforeAll(async () => {
  startCapturing();
  // The mailer and lms-push on this thread, where the spies above see their SES calls, queue
  // messages and log lines (on a thread of their own, as npm start runs them, they would not).
  stack = await startPrivateStack(SETTINGS, { queueFunctionsOnThisThread: true });
});

afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});

const mailbox = (address: string) => emailsTo(address, stack.urls.mailbox);
const cli = (...argv: string[]) => attestOn(stack, argv);

interface Lanes {
  webhook: { state: string };
  xapi: { state: string };
  moodle: { state: string };
}
const lanes = (id: string) => evidenceOn<Lanes>(stack, id);
const lanesAre = (id: string, want: Partial<Record<keyof Lanes, string>>) =>
  waitFor(`the deliveries ${JSON.stringify(want)}`, async () => {
    const found = await lanes(id);
    return Object.entries(want).every(([lane, state]) => found[lane as keyof Lanes]?.state === state)
      ? found
      : undefined;
  });

/** A starter event with the given people's details over the fixture's. */
function starterEvent(details: Record<string, unknown>) {
  const event = uniqueStarter();
  return { ...event, data: { ...event.data, ...details } };
}

/** Okta provisioning a user over SCIM, with the stack's token. */
function provision() {
  const { givenName, familyName, email, department } = PEOPLE.provisioned;
  return fetch(`${stack.urls.api}/scim/v2/Users`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.env.SCIM_TOKEN}`,
      'content-type': 'application/scim+json; charset=utf-8',
    },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: email,
      name: { givenName, familyName },
      emails: [{ type: 'work', primary: true, value: email }],
      active: true,
      [ENTERPRISE]: { employeeNumber: `NOPII-S-${suffix}`, department },
    }),
  });
}

/**
 * HR in the console, signed in at the local provider: finds the provisioned user by name and
 * resends their invite, giving a reason that names them (free text that must stay in the audit trail).
 */
async function resendFromConsole(assignmentId: string): Promise<number | undefined> {
  const b = browser('http://stop.invalid');
  const signIn = await b.follow(stack.urls.console);
  const form = formOf((await signIn.page?.text()) ?? '', signIn.at);
  const overview = await b.follow(
    form.action,
    post({ email: 'hr@attest.example', password: LOCAL_CONSOLE_PASSWORD }),
  );
  const csrf = formOf((await overview.page?.text()) ?? '', overview.at).fields.csrf ?? '';
  const asConsole = (fields: Record<string, string>) => {
    const init = post({ csrf, ...fields });
    return { ...init, headers: { ...init.headers, origin: new URL(stack.urls.api).origin } };
  };
  await b.follow(`${stack.urls.api}/console/people`, asConsole({ q: PEOPLE.provisioned.familyName }));
  await b.follow(`${stack.urls.api}/console/people/${starterIdFor(`NOPII-S-${suffix}`)}`);
  const done = await b.follow(
    `${stack.urls.api}/console/actions/resend`,
    asConsole({ assignment: assignmentId, reason: `${PEOPLE.provisioned.givenName} asked for it again` }),
  );
  return done.page?.status;
}

/** Each capture holding a needle, as `where: …text around it…`. */
function leaks(pieces: Array<{ where: string; text: string }>): string[] {
  const found: string[] = [];
  for (const { where, text } of pieces) {
    for (const needle of needles()) {
      const at = text.indexOf(needle);
      if (at >= 0)
        found.push(`${where}: ${JSON.stringify(needle)} in …${text.slice(Math.max(0, at - 160), at + 80)}…`);
    }
  }
  return found;
}

describe('personal data on the whole path', () => {
  it('never reaches a log line, a metric, a queue message or a URL the gateway served', async () => {
    // Prepare: a starter who will be reminded and escalated, one whose invite bounces
    const { givenName, familyName, email, department, jobTitle, manager } = PEOPLE.starter;
    const starter = starterEvent({ givenName, familyName, email, department, jobTitle, manager });
    const employeeId = starter.data.employeeId as string;
    const id = assignmentIdFor(employeeId, 'safe-internet-use');
    const bounced = starterEvent({ ...PEOPLE.bounced, email: SIMULATOR.bounce });

    // Act: ingest (signed HR events and SCIM)
    expect((await postStarterTo(stack, starter)).status).toBe(202);
    expect((await postStarterTo(stack, bounced)).status).toBe(202);
    expect((await provision()).status).toBe(201);
    // A refused event whose bad values are the person's own: the refusal is logged, the values not.
    const refused = starterEvent({ ...PEOPLE.bounced, email: `${PEOPLE.bounced.familyName} at home` });
    expect((await postStarterTo(stack, refused)).status).toBe(400);

    // Act: the invite, a reminder, the escalation and its digest; the bounce's notice; SCIM's invite
    const [invite] = (await waitFor('the invite and a reminder', async () => {
      const found = await mailbox(email);
      return found.length >= 2 ? found : undefined;
    })) as [StoredEmail];
    await waitFor('the manager’s digest', async () => (await mailbox(manager.email))[0]);
    await waitFor('the bounce notice', async () => (await mailbox(PEOPLE.bounced.manager.email))[0]);
    await waitFor('the SCIM invite', async () => (await mailbox(PEOPLE.provisioned.email))[0]);

    // Act: signing through the page, while the webhook refuses (a dead letter); Moodle knows them
    await fetch(`${stack.urls.lms}/moodle/users`, { method: 'POST', body: JSON.stringify({ email }) });
    await outageOn(stack, 400, 'webhook');
    try {
      const link = ackLink(invite);
      const page = await (await fetch(link, { headers: { 'user-agent': PEOPLE.userAgent } })).text();
      const signed = await fetch(link, {
        method: 'POST',
        headers: { 'user-agent': PEOPLE.userAgent },
        body: new URLSearchParams({ fullName: PEOPLE.typedName, agree: 'yes', shown: shownStamp(page) }),
      });
      expect(signed.status).toBe(200);
      await lanesAre(id, { webhook: 'dead', xapi: 'delivered', moodle: 'delivered' });
    } finally {
      await outageOn(stack);
    }

    // Act: HR resends the provisioned user's invite from the console
    const provisionedId = assignmentIdFor(`NOPII-S-${suffix}`, 'safe-internet-use');
    const before = (await mailbox(PEOPLE.provisioned.email)).length;
    expect(await resendFromConsole(provisionedId)).toBe(200);
    await waitFor('the resent invite', async () => {
      const found = await mailbox(PEOPLE.provisioned.email);
      return found.length > before ? found : undefined;
    });

    // Act: the replay, then the CLI's answers (which name people, as they should: they are not logs)
    expect((await cli('lms', 'replay', '--assignment', id)).code).toBe(0);
    await lanesAre(id, { webhook: 'delivered' });
    expect((await cli('report', '--policy', 'safe-internet-use', '--status', 'all')).code).toBe(0);
    expect((await cli('evidence', id)).code).toBe(0);

    // Assess: something of each kind was captured, so silence is not mistaken for privacy
    const kinds = (prefix: string) => captured.filter((c) => c.where.startsWith(prefix)).length;
    expect(kinds('log')).toBeGreaterThan(0);
    expect(kinds('metric')).toBeGreaterThan(0);
    expect(kinds('queue message')).toBeGreaterThan(0);
    expect(kinds('SES email tags')).toBeGreaterThan(0);
    const gatewayPort = Number(new URL(stack.urls.api).port);
    const gateway = served.filter((s) => s.port === gatewayPort);
    expect(gateway.length).toBeGreaterThan(0);

    // Assess: none of them names anyone
    const urls = gateway.map((s) => ({
      where: `URL served by the gateway (${s.method})`,
      text: `${s.url} ${safeDecode(s.url)}`,
    }));
    expect(leaks([...captured, ...urls])).toEqual([]);
  }, 60_000);
});

/** A URL decoded where it can be, so an encoded value is found in either form. */
function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url.replaceAll('+', ' '));
  } catch {
    return url;
  }
}
