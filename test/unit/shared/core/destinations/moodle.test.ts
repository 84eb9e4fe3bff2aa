// The Moodle destination: its REST calls as Moodle's server takes them, its reading of Moodle's answers (errors come as 200), and one delivery through the common retry and dead-letter path.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { makeDeliverCompletion } from '#shared/core/deliver.ts';
import {
  LOOKUP,
  type MoodleSettings,
  makeMoodleChannel,
  moodle,
  moodleRequest,
  OVERRIDE,
  parseActivities,
  readMoodleAnswer,
  USER_ID_FIELD,
  userValue,
} from '#shared/core/destinations/moodle.ts';
import { ConfigError } from '#shared/core/errors.ts';
import type { Delivery, PolicyText } from '#shared/core/model.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '#shared/ports.ts';
import { anEvidence, aPolicy, FakeClock, FakeMetrics, seededStore } from '../../../../support/fakes.ts';

const SETTINGS: MoodleSettings = {
  url: 'https://moodle.example.org/',
  token: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  userField: 'email',
  activities: new Map([['safe-internet-use', 123]]),
};
const policy = aPolicy();
const evidence = anEvidence(policy);

/** Moodle's exception body (lib/externallib.php; webservice/rest/locallib.php sends it with HTTP 200). */
const exception = (exceptionClass: string, errorcode: string, message: string): HttpResponse => ({
  status: 200,
  body: JSON.stringify({ exception: exceptionClass, errorcode, message }),
});
const json = (data: unknown): HttpResponse => ({ status: 200, body: JSON.stringify(data) });
const completed = (cmid: number, userid: number, over: Record<string, unknown> = {}) =>
  json({ cmid, userid, state: 1, timecompleted: 1764583200, overrideby: 2, tracking: 1, ...over });

/** Moodle answering each call in turn with the next scripted answer (null: no answer at all). */
function scripted(answers: Array<HttpResponse | null>) {
  const requests: HttpRequest[] = [];
  const call = async (request: HttpRequest) => {
    requests.push(request);
    return answers.shift() ?? null;
  };
  return { requests, call };
}

const form = (request: HttpRequest | undefined) => Object.fromEntries(new URLSearchParams(request?.body));

function attempt(call: (r: HttpRequest) => Promise<HttpResponse | null>, delivery: Partial<Delivery> = {}) {
  const starter = { email: 'Ada.Lovelace@Example.org', employeeId: 'E1001' };
  return makeMoodleChannel(SETTINGS).send({
    assignment: {} as never,
    starter: starter as never,
    evidence,
    delivery: { state: 'pending', attempts: 0, ...delivery },
    at: new Date('2026-12-01T09:00:00.000Z'),
    call,
  });
}

describe('readMoodleAnswer', () => {
  it.each([
    ['moodle_exception', 'invalidtoken', 'Invalid token - token not found'],
    ['webservice_access_exception', 'accessexception', 'Access control exception'],
    [
      'required_capability_exception',
      'nopermissions',
      'Sorry, but you do not currently have permissions to do that (Override activity completion status).',
    ],
    ['moodle_exception', 'servicerequireslogin', 'Web service is not available (it requires login)'],
    ['moodle_exception', 'completionnotenabled', 'Completion is not enabled'],
    [
      'dml_missing_record_exception',
      'invalidrecord',
      "Can't find data record in database table course_modules.",
    ],
    ['invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected'],
    ['moodle_exception', 'invalidcoursemodule', 'Invalid course module ID'],
  ])('dead-letters %s %s, naming the function, code and message', (exceptionClass, code, message) => {
    // Act
    const answer = readMoodleAnswer(OVERRIDE, exception(exceptionClass, code, message));

    // Assess
    expect(answer).toMatchObject({
      outcome: { verdict: 'rejected', status: 200, detail: `${OVERRIDE}: ${code}: ${message}` },
    });
  });

  it.each(['sitemaintenance', 'dmlreadexception', 'dmlwriteexception', 'dbconnectionfailed'])(
    'retries %s: the site or its database may be back later',
    (code) => {
      // Act
      const answer = readMoodleAnswer(LOOKUP, exception('moodle_exception', code, 'Try again later'));

      // Assess
      expect(answer).toMatchObject({ outcome: { verdict: 'retry', status: 200 } });
    },
  );

  it.each<[HttpResponse | null, string]>([
    [{ status: 503, body: 'Service Unavailable', retryAfter: '30' }, 'retry'],
    [{ status: 429, body: '' }, 'retry'],
    [{ status: 500, body: '' }, 'retry'],
    [null, 'retry'],
    [{ status: 410, body: '' }, 'gone'],
    [{ status: 404, body: 'Not Found' }, 'rejected'],
  ])('reads an HTTP %j as any destination would: %s', (response, verdict) => {
    // Act
    const answer = readMoodleAnswer(LOOKUP, response);

    // Assess
    expect(answer).toMatchObject({ outcome: { verdict, status: response?.status ?? null } });
    if (response) expect(answer).toMatchObject({ outcome: { response } });
  });

  it('dead-letters a 200 that is not JSON: not Moodle’s REST server (a login page, a wrong URL)', () => {
    // Act
    const answer = readMoodleAnswer(LOOKUP, { status: 200, body: '<!DOCTYPE html><title>Log in</title>' });

    // Assess
    expect(answer).toMatchObject({
      outcome: { verdict: 'rejected', detail: expect.stringContaining('MOODLE_URL') },
    });
  });

  it('hands back the data of an answer that is not an exception', () => {
    // Act
    const answer = readMoodleAnswer(LOOKUP, json([{ id: 7, email: 'ada@example.org' }]));

    // Assess
    expect(answer).toMatchObject({ data: [{ id: 7, email: 'ada@example.org' }] });
  });
});

describe('moodleRequest', () => {
  it('POSTs the token, function, JSON format and parameters form-encoded to the REST server, arrays as values[0]', () => {
    // Act
    const request = moodleRequest(SETTINGS, LOOKUP, { field: 'email', 'values[0]': 'ada+1@example.org' });

    // Assess
    expect(request).toMatchObject({
      method: 'POST',
      url: 'https://moodle.example.org/webservice/rest/server.php',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(request.body).toBe(
      `wstoken=${SETTINGS.token}&wsfunction=core_user_get_users_by_field&moodlewsrestformat=json&field=email&values%5B0%5D=ada%2B1%40example.org`,
    );
  });
});

describe('userValue', () => {
  it('looks a starter up by email as given, idnumber as the employee id, username as the email lower-cased', () => {
    // Prepare
    const starter = { email: 'Ada.Lovelace@Example.org', employeeId: 'E1001' };

    // Assess
    expect(userValue('email', starter)).toBe('Ada.Lovelace@Example.org');
    expect(userValue('idnumber', starter)).toBe('E1001');
    expect(userValue('username', starter)).toBe('ada.lovelace@example.org');
  });
});

describe('the Moodle channel', () => {
  it('finds the user, then overrides the activity to complete for them, remembering their id', async () => {
    // Prepare
    const moodleAnswers = scripted([
      json([{ id: 42, email: 'Ada.Lovelace@Example.org' }]),
      completed(123, 42),
    ]);

    // Act
    const outcome = await attempt(moodleAnswers.call);

    // Assess
    expect(outcome).toMatchObject({ verdict: 'delivered', status: 200, remember: { [USER_ID_FIELD]: 42 } });
    expect(moodleAnswers.requests.map(form)).toEqual([
      {
        wstoken: SETTINGS.token,
        wsfunction: LOOKUP,
        moodlewsrestformat: 'json',
        field: 'email',
        'values[0]': 'Ada.Lovelace@Example.org',
      },
      {
        wstoken: SETTINGS.token,
        wsfunction: OVERRIDE,
        moodlewsrestformat: 'json',
        userid: '42',
        cmid: '123',
        newstate: '1',
      },
    ]);
  });

  it('does not look up a user it found on an earlier attempt', async () => {
    // Prepare
    const moodleAnswers = scripted([completed(123, 42)]);

    // Act
    const outcome = await attempt(moodleAnswers.call, { [USER_ID_FIELD]: 42 });

    // Assess
    expect(outcome.verdict).toBe('delivered');
    expect(moodleAnswers.requests.map((r) => form(r).wsfunction)).toEqual([OVERRIDE]);
  });

  it('keeps the user found when the override is to be retried', async () => {
    // Prepare
    const moodleAnswers = scripted([json([{ id: 42 }]), { status: 503, body: '', retryAfter: '5' }]);

    // Act
    const outcome = await attempt(moodleAnswers.call);

    // Assess
    expect(outcome).toMatchObject({ verdict: 'retry', status: 503, remember: { [USER_ID_FIELD]: 42 } });
    expect(outcome.response?.retryAfter).toBe('5');
  });

  it.each<[unknown[], string]>([
    [[], 'no Moodle user with email Ada.Lovelace@Example.org'],
    [[{ id: 42 }, { id: 43 }], '2 Moodle users with email Ada.Lovelace@Example.org'],
  ])('never guesses: %j users is a dead letter saying so', async (users, detail) => {
    // Prepare
    const moodleAnswers = scripted([json(users)]);

    // Act
    const outcome = await attempt(moodleAnswers.call);

    // Assess
    expect(outcome.verdict).toBe('rejected');
    expect(outcome.detail).toContain(detail);
    expect(moodleAnswers.requests).toHaveLength(1);
  });

  it('dead-letters an activity whose completion tracking is off, naming it', async () => {
    // Prepare
    const moodleAnswers = scripted([json([{ id: 42 }]), completed(123, 42, { state: 0, tracking: 0 })]);

    // Act
    const outcome = await attempt(moodleAnswers.call);

    // Assess
    expect(outcome).toMatchObject({
      verdict: 'rejected',
      detail: 'completion tracking is off for activity 123',
      remember: { [USER_ID_FIELD]: 42 },
    });
  });

  it('dead-letters an override answered with a state other than complete', async () => {
    // Act
    const outcome = await attempt(scripted([json([{ id: 42 }]), completed(123, 42, { state: 0 })]).call);

    // Assess
    expect(outcome).toMatchObject({ verdict: 'rejected', detail: expect.stringContaining('state 0') });
  });

  it('dead-letters an invalid token at the first call, calling nothing more', async () => {
    // Prepare
    const moodleAnswers = scripted([
      exception('moodle_exception', 'invalidtoken', 'Invalid token - token not found'),
    ]);

    // Act
    const outcome = await attempt(moodleAnswers.call);

    // Assess
    expect(outcome).toMatchObject({
      verdict: 'rejected',
      detail: `${LOOKUP}: invalidtoken: Invalid token - token not found`,
    });
    expect(moodleAnswers.requests).toHaveLength(1);
  });

  it('dead-letters a policy with no activity, sending nothing', async () => {
    // Prepare
    const moodleAnswers = scripted([]);
    const channel = makeMoodleChannel({ ...SETTINGS, activities: new Map() });

    // Act
    const outcome = await channel.send({
      assignment: {} as never,
      starter: { email: 'a@example.org' } as never,
      evidence,
      delivery: { state: 'pending', attempts: 0 },
      at: new Date(0),
      call: moodleAnswers.call,
    });

    // Assess
    expect(outcome).toMatchObject({
      verdict: 'rejected',
      status: null,
      detail: expect.stringContaining('MOODLE_ACTIVITIES'),
    });
    expect(moodleAnswers.requests).toEqual([]);
  });
});

describe('the Moodle settings', () => {
  const parse = (env: Record<string, string>) => moodle.settings.safeParse(env);

  it('defaults to email, needs MOODLE_URL, and takes the site root with or without its slash', () => {
    // Act
    const settings = moodle.settings.parse({ MOODLE_URL: 'https://moodle.example.org/lms' });

    // Assess
    expect(settings).toEqual({
      MOODLE_URL: 'https://moodle.example.org/lms/',
      MOODLE_USER_FIELD: 'email',
      MOODLE_ACTIVITIES: {},
    });
    expect(moodle.missing(moodle.settings.parse({}))).toEqual([{ setting: 'MOODLE_URL' }]);
  });

  it.each([
    [{ MOODLE_URL: 'http://moodle.example.org/' }, 'MOODLE_URL'],
    [{ MOODLE_USER_FIELD: 'phone' }, 'MOODLE_USER_FIELD'],
    [{ MOODLE_ACTIVITIES: 'safe-internet-use:123' }, 'MOODLE_ACTIVITIES'],
    [{ MOODLE_ACTIVITIES: 'safe-internet-use=0' }, 'MOODLE_ACTIVITIES'],
    [{ MOODLE_ACTIVITIES: 'a=1,a=2' }, 'MOODLE_ACTIVITIES'],
  ])('refuses %j, naming the setting', (env, setting) => {
    // Act
    const result = parse(env);

    // Assess
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([setting]);
  });

  it('reads a policy id named like an object property (constructor, toString) as any other', () => {
    // Found by the property below: `constructor` was taken for a policy named twice.
    expect(parseActivities('constructor=1, tostring=2, hasownproperty=3')).toEqual({
      constructor: 1,
      tostring: 2,
      hasownproperty: 3,
    });
    expect(() => parseActivities('constructor=1, constructor=2')).toThrow('names constructor twice');
  });

  it('reads MOODLE_ACTIVITIES as policy ids and activity ids, and back', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/), fc.integer({ min: 1, max: 2 ** 31 })),
        (activities) => {
          // Act
          const text = Object.entries(activities)
            .map(([id, cmid]) => `${id}=${cmid}`)
            .join(', ');

          // Assess
          expect(parseActivities(text)).toEqual(activities);
        },
      ),
    );
  });

  it('throws only its own error on any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseActivities(text);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/policy-id=cmid|twice/);
        }
      }),
    );
  });

  it('refuses a token that is not letters and digits, naming the setting but not the value', () => {
    // Prepare
    const check = moodle.secrets[0]?.check as (v: string) => string;

    // Assess
    expect(check('a1b2c3')).toBe('a1b2c3');
    expect(() => check('a1b2 c3')).toThrow(ConfigError);
    const message = (() => {
      try {
        check('x9y8 z7');
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^MOODLE_TOKEN /);
    expect(message).not.toContain('x9y8');
  });
});

describe('the Moodle activities', () => {
  const settings = moodle.settings.parse({ MOODLE_URL: 'https://moodle.example.org/' });
  const policies = new Map<string, PolicyText>([
    ['safe-internet-use', { ...aPolicy(), moodle: { cmid: 7 } }],
    ['data-protection', { ...aPolicy(), policyId: 'data-protection' }],
  ]);

  async function activityCalled(activities: Record<string, number>) {
    const channel = moodle.channel(
      { ...settings, MOODLE_ACTIVITIES: activities },
      { MOODLE_TOKEN: 't0k3n' },
      { policies },
    );
    const moodleAnswers = scripted([completed(0, 42)]);
    if (!('send' in channel)) throw new Error('expected a stepped channel');
    await channel.send({
      assignment: {} as never,
      starter: {} as never,
      evidence,
      delivery: { state: 'pending', attempts: 0, [USER_ID_FIELD]: 42 },
      at: new Date(0),
      call: moodleAnswers.call,
    });
    return form(moodleAnswers.requests[0]).cmid;
  }

  it('takes a policy’s activity from its front matter, MOODLE_ACTIVITIES overriding it', async () => {
    // Assess
    expect(await activityCalled({})).toBe('7');
    expect(await activityCalled({ 'safe-internet-use': 99 })).toBe('99');
  });

  it('refuses, naming MOODLE_ACTIVITIES, an activity for a policy the build does not carry', () => {
    // Act / Assess
    expect(() =>
      moodle.channel(
        { ...settings, MOODLE_ACTIVITIES: { 'no-such-policy': 1 } },
        { MOODLE_TOKEN: 't' },
        { policies },
      ),
    ).toThrow(/MOODLE_ACTIVITIES names no-such-policy/);
  });
});

describe('delivering to Moodle', () => {
  /** Moodle's REST server, answering each call in turn. */
  class ScriptedMoodle implements HttpClient {
    readonly requests: HttpRequest[] = [];
    constructor(private readonly answers: Array<HttpResponse | Error>) {}
    async send(request: HttpRequest) {
      this.requests.push(request);
      const next = this.answers.shift() ?? new Error('no more answers');
      if (next instanceof Error) throw next;
      return next;
    }
  }

  async function setup(answers: Array<HttpResponse | Error>) {
    const clock = new FakeClock('2026-11-24T10:00:00.000Z');
    const seeded = await seededStore({ status: 'invited', dueAt: undefined, dueKind: undefined });
    const id = seeded.assignment.assignmentId;
    await seeded.store.recordAcknowledgement(
      id,
      evidence,
      { moodle: { completionId: 'moodle_1' } },
      clock.now(),
    );
    const http = new ScriptedMoodle(answers);
    const deliver = makeDeliverCompletion({
      metrics: new FakeMetrics(),
      store: seeded.store,
      http,
      clock,
      logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      channels: { moodle: makeMoodleChannel(SETTINGS) },
      leaseMs: 60_000,
      timeoutMs: 10_000,
      retryScheduleMs: [1000],
      random: () => 0.5,
    });
    const lane = async () => (await seeded.store.getAssignment(id))?.moodle;
    return { ...seeded, id, clock, http, deliver: () => deliver(id, 'moodle'), lane };
  }

  it('remembers the user across a network error, then completes the activity once, auditing the completion id', async () => {
    // Prepare
    const { deliver, clock, http, lane, store, id } = await setup([
      json([{ id: 42 }]),
      new Error('socket hang up'),
      completed(123, 42),
    ]);

    // Act
    const first = await deliver();
    clock.advance(2000);
    const second = await deliver();

    // Assess
    expect([first, second]).toEqual(['retrying', 'delivered']);
    expect(http.requests.map((r) => form(r).wsfunction)).toEqual([LOOKUP, OVERRIDE, OVERRIDE]);
    expect(await lane()).toMatchObject({ state: 'delivered', attempts: 2, [USER_ID_FIELD]: 42 });
    expect(store.audit.filter((e) => e.assignmentId === id && e.kind === 'delivered')).toMatchObject([
      { detail: { destination: 'moodle', completionId: 'moodle_1' } },
    ]);
  });

  it('keeps the reason with the dead letter and sends nothing more', async () => {
    // Prepare
    const { deliver, lane, http } = await setup([json([])]);

    // Act
    const outcome = await deliver();

    // Assess
    expect(outcome).toBe('dead-lettered');
    expect((await lane())?.deadLetter).toMatchObject({
      reason: 'rejected',
      status: 200,
      detail: expect.stringContaining('no Moodle user with email'),
      body: '[]',
    });
    expect(http.requests).toHaveLength(1);
  });
});
