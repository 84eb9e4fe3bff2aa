// `npm start` as a user runs it, in a child process: the settings it documents, custom secrets included, carry a starter end to end; its log lines are for a person.
import { spawnSync } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectToken, parseTokenKeys, signToken } from '#shared/core/tokens.ts';
import { makeSealer, SESSION_COOKIE, type Session } from '#shared/edge/console/session.ts';
import { LOCAL_CONSOLE_PASSWORD, LOCAL_SECRETS } from '../../local/settings.ts';
import {
  ackLink,
  emailsTo,
  fixture,
  postStarter,
  receiverOf,
  shownStamp,
  signedHeaders,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';
import { freePlace, npmStart, refusal, stop, untilReady } from '../support/npm-start.ts';
import { browser, discover, formOf, post, startSignIn, submitSignIn } from '../support/oidc.ts';

// Not the local defaults: each must reach the functions (and the demo receiver) from the environment.
const HR_SECRET = `whsec_${Buffer.from('npm-start-test: the HR system secret').toString('base64')}`;
const LMS_SECRET = `whsec_${Buffer.from('npm-start-test: the LMS secret, 40 bytes').toString('base64')}`;
const ACK_KEYS = 'k1:npm-start-test-ack-token-key-of-this-test-only';
const CONFIG_SET = 'attest-npm-start-test';
const SCIM_TOKEN = 'npm-start-test-scim-token-of-this-test-only';
const CONSOLE_PASSWORD = 'npm-start-test-console-password';
const SESSION_KEY = 'npm-start-test-console-session-key-of-this-test-only';
const LOCAL_SECRETS_CONSOLE_KEY = LOCAL_SECRETS.CONSOLE_SESSION_KEY;

describe('npm start', () => {
  let started: ReturnType<typeof npmStart> | undefined;
  let urls: Awaited<ReturnType<typeof freePlace>>['urls'];

  beforeAll(async () => {
    const place = await freePlace();
    urls = place.urls;
    started = npmStart({
      ...place.settings,
      HR_WEBHOOK_SECRET: HR_SECRET,
      LMS_WEBHOOK_SECRET: LMS_SECRET,
      ACK_TOKEN_KEYS: ACK_KEYS,
      SES_CONFIGURATION_SET: CONFIG_SET,
      SCIM_TOKEN,
      LOCAL_CONSOLE_PASSWORD: CONSOLE_PASSWORD,
      CONSOLE_SESSION_KEY: SESSION_KEY,
      LOG_LEVEL: 'SILENT',
    });
    await untilReady(started);
  }, 90_000);

  afterAll(async () => {
    if (started) await stop(started.child, started.exited);
  }, 30_000);

  it('prints the secrets and settings in force, from the environment', () => {
    // Assess
    const out = started?.output.out ?? '';
    expect(out).toContain(`HR_WEBHOOK_SECRET=${HR_SECRET}  (from your environment)`);
    expect(out).toContain(`LMS_WEBHOOK_SECRET=${LMS_SECRET}  (from your environment)`);
    expect(out).toContain(`ACK_TOKEN_KEYS=${ACK_KEYS}  (from your environment)`);
    expect(out).toContain(`SES_CONFIGURATION_SET=${CONFIG_SET}`);
    expect(out).toContain(`SCIM_TOKEN=${SCIM_TOKEN}  (from your environment)`);
    expect(out).toContain(`${urls.api}/scim/v2`);
    expect(out).toContain(`API and signing pages  ${urls.api}`);
    expect(out).not.toContain(LOCAL_SECRETS.HR_WEBHOOK_SECRET);
  });

  it('suggests the demo and the CLI with this stack’s ports, so a copied command reaches it', () => {
    // Assess: each port setting that is not the default (none here is), before each command
    const out = started?.output.out ?? '';
    const port = (url: string) => new URL(url).port;
    const prefix = `PORT=${port(urls.api)} SES_LOCAL_PORT=${port(urls.mailbox)} DYNAMODB_LOCAL_PORT=${port(urls.dynamodb)} SQS_LOCAL_PORT=${port(urls.sqs)} LMS_RECEIVER_PORT=${port(urls.lms)} OIDC_LOCAL_PORT=${port(urls.oidc)} `;
    expect(out).toContain(`Try it: ${prefix}npm run demo `);
    expect(out).toContain(`The CLI: ${prefix}npx attest --help `);
  });

  it('prints the console and its demo OpenID provider, with the password from the environment', () => {
    // Assess
    const out = started?.output.out ?? '';
    expect(out).toContain(
      `HR console             ${urls.console}   sign in as hr@attest.example (admin) or auditor@attest.example (auditor), password: LOCAL_CONSOLE_PASSWORD=${CONSOLE_PASSWORD}  (from your environment)`,
    );
    expect(out).toContain(`OpenID provider (demo) ${urls.oidc}\n`);
    expect(out).toContain(`CONSOLE_SESSION_KEY=${SESSION_KEY}  (from your environment)`);
    expect(out).not.toContain(LOCAL_CONSOLE_PASSWORD);
  });

  it('signs a demo user in at its OpenID provider with the password from the environment, not the local default', async () => {
    // Prepare
    const config = await discover(urls.oidc);

    // Act
    const withDefault = await submitSignIn(
      await startSignIn(config, urls.api),
      'hr@attest.example',
      LOCAL_CONSOLE_PASSWORD,
    );
    const withOwn = await submitSignIn(
      await startSignIn(config, urls.api),
      'hr@attest.example',
      CONSOLE_PASSWORD,
    );

    // Assess: the custom password ends at the console's callback with a code
    expect(withDefault.html).toContain('The email address or password is not right.');
    expect(new URL(withOwn.at).pathname).toBe('/console/auth/callback');
    expect(new URL(withOwn.at).searchParams.get('code')).toBeTruthy();
  });

  it('signs HR in to the console through its provider, sealing the session with the session key from the environment', async () => {
    // Prepare: a browser without script, keeping both sites' cookies (one host), stopping nowhere
    const b = browser('http://stop.invalid');

    // Act
    const form = await b.follow(urls.console);
    const html = (await form.page?.text()) ?? '';
    const signedIn = await b.follow(
      formOf(html, form.at).action,
      post({ email: 'hr@attest.example', password: CONSOLE_PASSWORD }),
    );
    const overview = (await signedIn.page?.text()) ?? '';
    const session = makeSealer(SESSION_KEY).open<Session>(SESSION_COOKIE, b.jar.get(SESSION_COOKIE));
    const unsealedByDefault = makeSealer(LOCAL_SECRETS_CONSOLE_KEY).open(
      SESSION_COOKIE,
      b.jar.get(SESSION_COOKIE),
    );
    const forged = await b.follow(`${urls.api}/console/people`, post({ q: 'Lovelace' }));

    // Assess
    expect(new URL(form.at).origin).toBe(urls.oidc);
    expect(signedIn.at).toBe(urls.console);
    expect(signedIn.page?.status).toBe(200);
    expect(overview).toContain('Signed in as');
    expect(session).toMatchObject({ subject: 'local-hr', email: 'hr@attest.example', role: 'admin' });
    expect(unsealedByDefault).toBeUndefined();
    expect(forged.page?.status).toBe(403);
  });

  it('carries a starter from a signed HR event to a verified LMS webhook with the custom secrets', async () => {
    // Prepare
    const event = uniqueStarter();
    const body = JSON.stringify(event);
    const email = event.data.email as string;

    // Act: HR signs with its own secret (the local default no longer verifies)
    const withDefault = await postStarter(
      event,
      signedHeaders(body, LOCAL_SECRETS.HR_WEBHOOK_SECRET),
      urls.api,
    );
    const accepted = await postStarter(event, signedHeaders(body, HR_SECRET), urls.api);

    // Assess
    expect(withDefault.status).toBe(401);
    expect(accepted.status).toBe(202);

    // Act: the invite's link is signed with the custom key
    const invite = await waitFor('the invite', async () => (await emailsTo(email, urls.mailbox))[0]);
    const link = ackLink(invite);
    const token = decodeURIComponent(link.slice(link.lastIndexOf('/') + 1));
    const claims = inspectToken(parseTokenKeys(ACK_KEYS), token, 'ack');
    const forged = signToken(parseTokenKeys(LOCAL_SECRETS.ACK_TOKEN_KEYS), claims);
    const page = await fetch(link);
    const html = await page.text();
    const forgedPage = await fetch(`${urls.api}/ack/${forged}`);

    // Assess
    expect(page.status).toBe(200);
    expect(() => inspectToken(parseTokenKeys(LOCAL_SECRETS.ACK_TOKEN_KEYS), token, 'ack')).toThrow();
    expect(forgedPage.status).toBe(404);

    // Act: the starter signs, and the demo LMS receiver gets the completion
    const signed = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ fullName: 'Ada Lovelace', agree: 'yes', shown: shownStamp(html) }),
    });
    const receiver = { urls };
    const delivered = await waitFor('the LMS webhook', async () =>
      (await receiverOf(receiver)).received.find((r) => r.payload.data.email === email),
    );
    const { rejected } = (await (await fetch(`${urls.lms}/received`)).json()) as { rejected: number };

    // Assess: it verifies with the custom LMS secret, which the demo receiver used too
    expect(signed.status).toBe(200);
    expect(delivered.payload.type).toBe('policy.acknowledged');
    expect(() => new Webhook(LMS_SECRET).verify(delivered.raw.body, delivered.raw.headers)).not.toThrow();
    expect(() =>
      new Webhook(LOCAL_SECRETS.LMS_WEBHOOK_SECRET).verify(delivered.raw.body, delivered.raw.headers),
    ).toThrow();
    expect(rejected).toBe(0);
  }, 90_000);

  it('has npm run demo, signing with the local default secret, say which secret to give it when refused', () => {
    // Act: the demo in a terminal where HR_WEBHOOK_SECRET was not set, against the stack started with one
    const basics = ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR', 'npm_config_cache'];
    const env = Object.fromEntries(basics.filter((n) => process.env[n]).map((n) => [n, process.env[n]]));
    const demo = spawnSync('npm', ['run', 'demo'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { ...env, PORT: new URL(urls.api).port, LMS_RECEIVER_PORT: new URL(urls.lms).port },
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(demo.status).toBe(1);
    expect(demo.stderr).toContain('attest demo: the API answered 401');
    expect(demo.stderr).toContain(
      'The demo signs with the local default HR_WEBHOOK_SECRET: give it the one npm start printed, e.g. HR_WEBHOOK_SECRET=whsec_… npm run demo',
    );
  });

  it('provisions a SCIM user with the token from the environment, and refuses the local default', async () => {
    // Prepare
    const suffix = String(Date.now());
    const email = `scim.${suffix}@example.org`;
    const user = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: email,
      externalId: `okta-${suffix}`,
      name: { givenName: 'Scim', familyName: 'Starter' },
      emails: [{ type: 'work', primary: true, value: email }],
      active: true,
    };
    const post = (token: string) =>
      fetch(`${urls.api}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' },
        body: JSON.stringify(user),
      });

    // Act
    const withDefault = await post(LOCAL_SECRETS.SCIM_TOKEN);
    const created = await post(SCIM_TOKEN);
    const body = (await created.json()) as { id: string; meta: { location: string } };
    const invite = await waitFor(
      'the SCIM user’s invite',
      async () => (await emailsTo(email, urls.mailbox))[0],
    );

    // Assess
    expect(withDefault.status).toBe(401);
    expect(withDefault.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/scim+json');
    expect(created.headers.get('location')).toBe(`${urls.api}/scim/v2/Users/${body.id}`);
    expect(invite.subject).toBeTruthy();
  }, 90_000);
});

describe('npm start with a malformed secret', () => {
  it('refuses to start, naming the setting and not printing its value', async () => {
    // Prepare
    const { settings } = await freePlace();
    const unpadded = 'whsec_bG9jYWwtbG1zLXdlYmhvb2stc2VjcmV0LW5vdC1mb3ItcHJvZA';

    // Act
    const run = npmStart({
      ...settings,
      LMS_WEBHOOK_SECRET: unpadded,
      LOG_LEVEL: 'SILENT',
    });
    // A stack that starts anyway is a failure too: it is stopped rather than waited for.
    const code = await refusal(run);

    // Assess
    expect(code).toBe(1);
    expect(run.output.err).toMatch(/could not start: LMS_WEBHOOK_SECRET must be padded base64/);
    expect(run.output.err + run.output.out).not.toContain(unpadded.slice(6));
  }, 90_000);
});

describe('npm start with the console’s own provider on plain http', () => {
  it('refuses to start, naming OIDC_ISSUER, rather than answering the console with a 500', async () => {
    // Prepare
    const { settings } = await freePlace();

    // Act
    const run = npmStart({ ...settings, OIDC_ISSUER: 'http://login.example.org/', LOG_LEVEL: 'SILENT' });
    // A stack that starts anyway is a failure too: it is stopped rather than waited for.
    const code = await refusal(run);

    // Assess
    expect(code).toBe(1);
    expect(run.output.err).toContain(
      'could not start: invalid configuration: OIDC_ISSUER: must be https (plain http only on 127.0.0.1 or localhost)',
    );
  }, 90_000);
});

describe('npm start with the console’s own provider', () => {
  it('says the console signs in with that provider, offering no demo user or password', async () => {
    // Prepare
    const { settings, urls } = await freePlace();

    // Act
    const run = npmStart({ ...settings, OIDC_ISSUER: 'https://login.example.org/', LOG_LEVEL: 'SILENT' });
    try {
      await untilReady(run);
    } finally {
      await stop(run.child, run.exited);
    }

    // Assess
    expect(run.output.out).toContain(
      `HR console             ${urls.console}   signs in with your provider, OIDC_ISSUER=https://login.example.org/ (not the demo one)\n`,
    );
    expect(run.output.out).not.toContain(LOCAL_CONSOLE_PASSWORD);
  }, 90_000);
});

describe('npm start, as a person watches it', () => {
  it('prints the functions’ log entries as readable lines naming each function, in no colour off a terminal, with no name or address', async () => {
    // Prepare: no LOG_LEVEL or LOG_FORMAT, as a user starts it; a local SES quota of 100 a second,
    // which the stack sizes its mail poller for as the sweeper sizes the mailers on AWS
    const { settings, urls } = await freePlace();
    const run = npmStart({ ...settings, SES_LOCAL_MAX_SEND_RATE: '100' });
    const event = uniqueStarter();
    let out = '';
    try {
      await untilReady(run);

      // Act: a starter arrives and is invited
      const body = JSON.stringify(event);
      await postStarter(event, signedHeaders(body, LOCAL_SECRETS.HR_WEBHOOK_SECRET), urls.api);
      out = await waitFor('the invite’s log line', async () =>
        /INFO {2}mailer +invite sent/.test(run.output.out) ? run.output.out : undefined,
      );
    } finally {
      await stop(run.child, run.exited);
    }

    // Assess
    const lines = out.split('\n').filter((line) => /^\d\d:\d\d:\d\d /.test(line));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\d\d:\d\d:\d\d INFO {2}ingest {5}starter event ingested {2}type=starter\.created starterId=\S+ assignments=1$/,
        ),
        expect.stringMatching(
          /^\d\d:\d\d:\d\d INFO {2}mailer {5}invite sent {2}assignmentId=\S+ messageId=\S+$/,
        ),
        // Five mailers for 100 a second (20 each), up from the two it started with for 14.
        expect.stringMatching(
          /^\d\d:\d\d:\d\d INFO {2}attest +mailers resized for the SES quota {2}rate=100 concurrency=5 was=2$/,
        ),
      ]),
    );
    const all = out + run.output.err;
    expect(all).not.toMatch(/^\{"level"/m);
    expect(all).not.toContain('\u001b[');
    const { familyName, manager } = fixture<{
      data: { familyName: string; manager: { name: string; email: string } };
    }>('created-full.json').data;
    for (const personal of [event.data.email, familyName, manager.name, manager.email]) {
      expect(all).not.toContain(personal);
    }
  }, 90_000);
});

describe('npm start and npm run demo with a malformed port', () => {
  it.each([
    ['npm start', ['start', '--', '--in-memory'], 'attest: '],
    ['npm run demo', ['run', 'demo'], 'attest demo: '],
  ])(
    '%s refuses it in a line naming the setting, with no stack trace',
    (_, args, prefix) => {
      // Prepare: the user's basics only, and a port that is not a number
      const basics = ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR', 'npm_config_cache'];
      const env = Object.fromEntries(basics.filter((n) => process.env[n]).map((n) => [n, process.env[n]]));

      // Act
      const run = spawnSync('npm', args, {
        cwd: new URL('../../', import.meta.url).pathname,
        env: { ...env, PORT: 'abc' },
        encoding: 'utf8',
        timeout: 60_000,
      });

      // Assess
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`${prefix}PORT must be a port number, not "abc"`);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).not.toContain('attest is running locally');
    },
    90_000,
  );
});
