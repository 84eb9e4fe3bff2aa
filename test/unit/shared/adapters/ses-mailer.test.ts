// The SES v2 mailer: configuration set, sanitised tags, headers and both parts on every email; no header
// carries a line break or another control character.
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeSesMailer, readSesQuota, type SesMailerOptions } from '#shared/adapters/ses-mailer.ts';
import { EmailMaybeSentError, EmailThrottledError, HeaderError } from '#shared/core/errors.ts';
import type { OutgoingEmail } from '#shared/ports.ts';

const ses = mockClient(SESv2Client);
const mailer = (options: Partial<SesMailerOptions> = {}) =>
  makeSesMailer(
    {
      from: { name: 'Onboarding', address: 'onboarding@example.org' },
      configurationSet: 'attest-events',
      ...options,
    },
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

  it('attaches a file (the receipt’s certificate) as a base64 attachment beside both parts and the headers', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    const pdf = new TextEncoder().encode('%PDF-1.7 certificate');

    // Act
    await mailer().send({
      ...email,
      attachments: [
        { fileName: 'agreement-safe-internet-use-v3.pdf', contentType: 'application/pdf', content: pdf },
      ],
    });

    // Assess
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      Content: {
        Simple: expect.objectContaining({
          Body: {
            Html: { Data: '<p>Hello Ada</p>', Charset: 'UTF-8' },
            Text: { Data: 'Hello Ada', Charset: 'UTF-8' },
          },
          Headers: [{ Name: 'X-Attest-Assignment', Value: 'a1' }],
          Attachments: [
            {
              FileName: 'agreement-safe-internet-use-v3.pdf',
              ContentType: 'application/pdf',
              ContentDisposition: 'ATTACHMENT',
              ContentTransferEncoding: 'BASE64',
              RawContent: pdf,
            },
          ],
        }),
      },
    });
  });

  it('sends no Attachments field when the email has none', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });

    // Act
    await mailer().send(email);

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Content?.Simple).not.toHaveProperty('Attachments');
  });

  it('refuses an attachment whose file name would break its header', async () => {
    // Act
    const sending = mailer().send({
      ...email,
      attachments: [
        {
          fileName: 'a.pdf\r\nBcc: x@example.org',
          contentType: 'application/pdf',
          content: new Uint8Array(),
        },
      ],
    });

    // Assess
    await expect(sending).rejects.toBeInstanceOf(HeaderError);
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 0);
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

  it('lets SES errors other than throttling through for the queue to retry', async () => {
    // Prepare: an error SES answered, as the SDK throws it (with the HTTP status in its metadata).
    const rejected = Object.assign(new Error('Email address is not verified.'), {
      name: 'MessageRejected',
      $metadata: { httpStatusCode: 400 },
    });
    ses.on(SendEmailCommand).rejects(rejected);

    // Assess
    await expect(mailer().send(email)).rejects.toBe(rejected);
  });

  it.each([
    ['TooManyRequestsException', 429, 'Maximum sending rate exceeded.', 'rate'],
    ['TooManyRequestsException', 429, 'Daily message quota exceeded.', 'daily'],
    ['Throttling', 400, 'Maximum sending rate exceeded.', 'rate'],
    ['ThrottlingException', 400, 'Rate exceeded', 'rate'],
    ['LimitExceededException', 400, 'Maximum sending rate exceeded.', 'rate'],
  ])(
    'tells a throttle (%s %i "%s") from a failure: not sent, to wait for the %s quota',
    async (name, status, message, quota) => {
      // Prepare
      const throttle = Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
      ses.on(SendEmailCommand).rejects(throttle);

      // Act
      const sending = mailer().send(email);

      // Assess
      await expect(sending).rejects.toBeInstanceOf(EmailThrottledError);
      await expect(sending).rejects.toMatchObject({ code: 'email.throttled', quota, cause: throttle });
    },
  );

  it('waits for the pacer’s turn before each send, and tells it what SES did', async () => {
    // Prepare
    const calls: string[] = [];
    const pacer = {
      take: vi.fn(async () => void calls.push('take')),
      sent: vi.fn(() => void calls.push('sent')),
      throttled: vi.fn(() => void calls.push('throttled')),
    };
    ses
      .on(SendEmailCommand)
      .callsFakeOnce(() => {
        calls.push('SendEmail');
        return { MessageId: 'm-1' };
      })
      .rejects(
        Object.assign(new Error('Maximum sending rate exceeded.'), {
          name: 'TooManyRequestsException',
          $metadata: { httpStatusCode: 429 },
        }),
      );

    // Act
    await mailer({ pacer }).send(email);
    await expect(mailer({ pacer }).send(email)).rejects.toBeInstanceOf(EmailThrottledError);

    // Assess
    expect(calls).toEqual(['take', 'SendEmail', 'sent', 'take', 'throttled']);
  });

  it('sends nothing when the pacer holds the email back', async () => {
    // Prepare
    const pacer = {
      take: vi.fn(async () => {
        throw new EmailThrottledError('daily');
      }),
      sent: vi.fn(),
      throttled: vi.fn(),
    };

    // Act
    const sending = mailer({ pacer }).send(email);

    // Assess
    await expect(sending).rejects.toMatchObject({ quota: 'daily' });
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 0);
  });

  it('says an email may have been sent when SES gave no answer (a timeout, a dropped connection)', async () => {
    // Prepare: the SDK's error after its retries, with no HTTP status.
    const timeout = Object.assign(new Error('socket hang up'), {
      name: 'TimeoutError',
      $metadata: { attempts: 3 },
    });
    ses.on(SendEmailCommand).rejects(timeout);

    // Act
    const sending = mailer().send(email);

    // Assess
    await expect(sending).rejects.toThrow(EmailMaybeSentError);
    await expect(sending).rejects.toMatchObject({ code: 'email.maybe_sent', cause: timeout });
  });

  it('sends one email to every address given (a decline notice: the manager and HR)', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-6' });

    // Act
    await mailer().send({ ...email, alsoTo: ['hr@example.org'] });

    // Assess
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      Destination: { ToAddresses: ['ada@example.org', 'hr@example.org'] },
    });
  });

  it('refuses an extra address that could break the To header, sending nothing', async () => {
    // Act
    const sending = mailer().send({ ...email, alsoTo: ['hr@example.org\r\nBcc: x@evil.example'] });

    // Assess
    await expect(sending).rejects.toMatchObject({ code: 'mail.header_unsafe' });
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 0);
  });

  it('sends no Reply-To unless one is set, and then on the email', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-5' });

    // Act
    await mailer().send(email);
    await mailer({ replyTo: { name: 'HR', address: 'hr@example.org' } }).send(email);

    // Assess
    const [plain, replying] = ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
    expect(plain).not.toHaveProperty('ReplyToAddresses');
    expect(replying?.ReplyToAddresses).toEqual(['HR <hr@example.org>']);
  });

  it('writes a display name outside ASCII as RFC 2047 encoded words, as SES requires', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-6' });

    // Act
    await mailer({ from: { name: 'Wirral Children’s Services', address: 'onboarding@example.org' } }).send(
      email,
    );

    // Assess
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      FromEmailAddress: `=?UTF-8?B?${Buffer.from('Wirral Children’s Services').toString('base64')}?= <onboarding@example.org>`,
    });
  });

  it.each([
    ['a CR LF', 'Eve\r\nBcc: attacker@evil.example', 'Eve Bcc: attacker@evil.example'],
    ['a lone LF', 'Eve\nBcc: attacker@evil.example', 'Eve Bcc: attacker@evil.example'],
    ['NUL and a tab', 'Please read:\u0000\tSafe', 'Please read: Safe'],
    ['a line separator', 'Eve\u2028Bcc: x@evil.example', 'Eve Bcc: x@evil.example'],
  ])('folds %s in the subject into one space, since a subject is made of names', async (_, subject, sent) => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-7' });

    // Act
    await mailer().send({ ...email, subject });

    // Assess
    expect(ses).toReceiveCommandWith(SendEmailCommand, {
      Content: { Simple: expect.objectContaining({ Subject: { Data: sent, Charset: 'UTF-8' } }) },
    });
  });

  it.each([
    [
      'a CR LF in the From name',
      { from: { name: 'Onboarding\r\nBcc: x@evil.example', address: 'onboarding@example.org' } },
      {},
    ],
    [
      'a CR LF in the From address',
      { from: { address: 'onboarding@example.org\r\nBcc: x@evil.example' } },
      {},
    ],
    ['a NUL in the Reply-To name', { replyTo: { name: 'HR\u0000', address: 'hr@example.org' } }, {}],
    ['a CR LF in the To address', {}, { to: 'ada@example.org\r\nBcc: x@evil.example' }],
    [
      'a CR LF in a custom header value',
      {},
      { headers: { 'X-Attest-Assignment': 'a1\r\nBcc: x@evil.example' } },
    ],
    ['a CR LF in a custom header name', {}, { headers: { 'X-Attest\r\nBcc': 'a1' } }],
    ['a colon in a custom header name', {}, { headers: { 'X-Attest: x': 'a1' } }],
  ] as Array<[string, Partial<SesMailerOptions>, Partial<OutgoingEmail>]>)(
    'refuses %s, sending nothing',
    async (_, options, change) => {
      // Prepare
      ses.on(SendEmailCommand).resolves({ MessageId: 'm-8' });

      // Act
      const sending = mailer(options).send({ ...email, ...change });

      // Assess
      await expect(sending).rejects.toThrow(HeaderError);
      await expect(sending).rejects.toMatchObject({ code: 'mail.header_unsafe' });
      expect(ses).toReceiveCommandTimes(SendEmailCommand, 0);
    },
  );
});

describe('readSesQuota', () => {
  beforeEach(() => {
    ses.reset();
  });

  it('reads the account’s rate, daily quota and sends of the last 24 hours from GetAccount', async () => {
    // Prepare
    ses.on(GetAccountCommand).resolves({
      SendQuota: { MaxSendRate: 14, Max24HourSend: 50_000, SentLast24Hours: 1234 },
    });

    // Act
    const quota = await readSesQuota(new SESv2Client({ region: 'eu-west-2' }));

    // Assess
    expect(quota).toEqual({ maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 1234 });
  });

  it('takes a missing daily quota as none, and refuses an answer with no rate', async () => {
    // Prepare
    ses
      .on(GetAccountCommand)
      .resolvesOnce({ SendQuota: { MaxSendRate: 1 } })
      .resolves({});
    const client = new SESv2Client({ region: 'eu-west-2' });

    // Act
    const partial = await readSesQuota(client);
    const none = readSesQuota(client);

    // Assess
    expect(partial).toEqual({ maxSendRate: 1, max24HourSend: -1, sentLast24Hours: 0 });
    await expect(none).rejects.toThrow('SES GetAccount returned no send quota');
  });
});
