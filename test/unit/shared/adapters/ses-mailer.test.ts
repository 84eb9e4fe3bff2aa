// The SES v2 mailer: configuration set, sanitised tags, headers and both parts on every email.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeSesMailer } from '#shared/adapters/ses-mailer.ts';
import type { OutgoingEmail } from '#shared/ports.ts';

const ses = mockClient(SESv2Client);
const mailer = () =>
  makeSesMailer(
    { from: 'Onboarding <onboarding@example.org>', configurationSet: 'attest-events' },
    new SESv2Client({ region: 'eu-west-2' }),
  );
const email: OutgoingEmail = {
  to: 'ada@example.org',
  subject: 'Please read: Safe internet use',
  html: '<p>Hello Ada</p>',
  text: 'Hello Ada',
  tags: { kind: 'invite', policy: 'safe-internet-use' },
  headers: { 'X-Attest-Assignment': 'a1' },
};

describe('makeSesMailer', () => {
  beforeEach(() => {
    ses.reset();
  });

  it('sends through the configuration set with tags, headers, HTML and text, and returns the message id', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    // Act
    const id = await mailer().send(email);

    // Assess
    expect(id).toBe('m-1');
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 1);
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      FromEmailAddress: 'Onboarding <onboarding@example.org>',
      Destination: { ToAddresses: ['ada@example.org'] },
      ConfigurationSetName: 'attest-events',
      EmailTags: [
        { Name: 'kind', Value: 'invite' },
        { Name: 'policy', Value: 'safe-internet-use' },
      ],
      Content: {
        Simple: {
          Subject: { Data: 'Please read: Safe internet use', Charset: 'UTF-8' },
          Body: {
            Html: { Data: '<p>Hello Ada</p>', Charset: 'UTF-8' },
            Text: { Data: 'Hello Ada', Charset: 'UTF-8' },
          },
          Headers: [{ Name: 'X-Attest-Assignment', Value: 'a1' }],
        },
      },
    });
  });

  it('replaces characters SES refuses in tag values, keeping the ones it allows', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });

    // Act
    await mailer().send({ ...email, tags: { policy: 'safe internet/use: v2 ✓', who: 'a.b-c_d@x' } });

    // Assess
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      EmailTags: [
        { Name: 'policy', Value: 'safe_internet_use__v2__' },
        { Name: 'who', Value: 'a.b-c_d@x' },
      ],
    });
  });

  it('keeps tag values within SES’s 256 characters', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });

    // Act
    await mailer().send({ ...email, tags: { long: 'x'.repeat(300) } });

    // Assess
    const tags = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.EmailTags;
    expect(tags?.[0]?.Value).toHaveLength(256);
  });

  it('sends no headers when the email has none', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-4' });
    const { headers: _headers, ...plain } = email;

    // Act
    await mailer().send(plain);

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Headers).toEqual([]);
  });

  it('refuses an answer without a message id, which evidence could not name', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({});

    // Assess
    await expect(mailer().send(email)).rejects.toThrow('SES returned no message id');
  });

  it('lets SES errors through for the queue to retry', async () => {
    // Prepare
    ses
      .on(SendEmailCommand)
      .rejects(
        Object.assign(new Error('Maximum sending rate exceeded'), { name: 'TooManyRequestsException' }),
      );

    // Assess
    await expect(mailer().send(email)).rejects.toThrow('Maximum sending rate exceeded');
  });
});
