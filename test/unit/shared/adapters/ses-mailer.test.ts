// The SES v2 mailer: configuration set, tags, headers and both parts on every email.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeSesMailer } from '#shared/adapters/ses-mailer.ts';

const ses = mockClient(SESv2Client);
const mailer = () =>
  makeSesMailer(
    { from: 'onboarding@example.org', configurationSet: 'attest' },
    new SESv2Client({ region: 'eu-west-2' }),
  );

describe('makeSesMailer', () => {
  beforeEach(() => ses.reset());

  it('sends through the configuration set with tags, headers, HTML and text, and returns the message id', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    // Act
    const id = await mailer().send({
      to: 'ada@example.org',
      subject: 'Please sign',
      html: '<p>hi</p>',
      text: 'hi',
      tags: { kind: 'invite', policy: 'safe internet/use' },
      headers: { 'X-Attest-Assignment': 'a1' },
    });

    // Assess
    expect(id).toBe('m-1');
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      FromEmailAddress: 'onboarding@example.org',
      Destination: { ToAddresses: ['ada@example.org'] },
      ConfigurationSetName: 'attest',
      EmailTags: [
        { Name: 'kind', Value: 'invite' },
        { Name: 'policy', Value: 'safe_internet_use' },
      ],
      Content: {
        Simple: {
          Subject: { Data: 'Please sign', Charset: 'UTF-8' },
          Body: { Html: { Data: '<p>hi</p>', Charset: 'UTF-8' }, Text: { Data: 'hi', Charset: 'UTF-8' } },
          Headers: [{ Name: 'X-Attest-Assignment', Value: 'a1' }],
        },
      },
    });
  });

  it('lets SES errors through for the queue to retry', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(new Error('TooManyRequests'));

    // Assess
    await expect(
      mailer().send({ to: 'a@b.org', subject: 's', html: 'h', text: 't', tags: {} }),
    ).rejects.toThrow('TooManyRequests');
  });
});
