// The console's edge: sign-in round trip, sessions' timeouts, CSRF and Origin on every POST, roles, and each page routed — with a fake provider, queries and pages.
import { describe, expect, it, vi } from 'vitest';
import type { SignInProvider } from '#shared/adapters/oidc.ts';
import type { ConfirmView } from '#shared/core/console/views.ts';
import { AttestError } from '#shared/core/errors.ts';
import {
  type ConsolePages,
  type ConsoleQueries,
  exportParams,
  makeConsoleApp,
  roleOf,
} from '#shared/edge/console/app.ts';
import { makeSealer, SESSION_COOKIE, type Session, SIGN_IN_COOKIE } from '#shared/edge/console/session.ts';
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { FakeClock } from '../../../../support/fakes.ts';

const BASE = 'https://console.example.org';
const KEY = 'a-console-session-key-of-32-chars-or-more';
const sealer = makeSealer(KEY);
const T0 = new Date('2026-03-02T09:00:00Z');

const settings = {
  baseUrl: BASE,
  groupsClaim: 'cognito:groups',
  adminGroup: 'attest-admins',
  auditorGroup: 'attest-auditors',
  idleMs: 30 * 60_000,
  lifetimeMs: 8 * 3_600_000,
  policies: ['safe-internet-use'],
};

/** Pages that say which page and what they were given, so routing can be read back. */
const pages: ConsolePages = {
  csp: "default-src 'none'",
  overview: (f) => `overview ${f.user.role} ${f.csrf}`,
  people: (_f, v) => `people ${JSON.stringify(v)}`,
  person: (f, v) => `person ${v.starter.starterId} ${f.notice?.text ?? ''}`,
  policies: () => 'policies',
  policyDiff: (_f, v) => `diff ${v.from.version}-${v.to.version}`,
  deliveries: (_f, v) => `deliveries ${v.canReplay}`,
  exports: (f, v) => `exports ${JSON.stringify(v)} ${f.notice?.text ?? ''}`,
  confirm: (f, v) => `confirm ${v.action} ${v.error ?? ''} ${f.notice?.text ?? ''}`,
  error: (e) => `error ${e.status} ${e.title}`,
  signedOut: () => 'signed-out',
  noAccess: (email) => `no-access ${email}`,
};

const confirmation: ConfirmView = {
  action: 'resend',
  assignmentId: 'A1',
  starterId: 'S1',
  name: 'Zoë Lee',
  policyTitle: 'Safe internet use',
  policyVersion: 1,
  status: 'invited',
};

function queries(): ConsoleQueries {
  return {
    overview: vi.fn(async () => ({ policies: [], timeZone: 'Europe/London' })),
    searchPeople: vi.fn(async (q: string) => ({ query: q, results: [] })),
    person: vi.fn(async (id: string) =>
      id === 'S1' ? ({ starter: { starterId: 'S1', name: 'Zoë Lee' }, assignments: [] } as never) : undefined,
    ),
    personEvidence: vi.fn(async (id: string) => (id === 'S1' ? { starter: { starterId: 'S1' } } : undefined)),
    policies: vi.fn(async () => ({ policies: [] })),
    policyDiff: vi.fn(async () => undefined),
    deliveries: vi.fn(async (role) => ({ deadLetters: [], canReplay: role === 'admin' })),
    exports: vi.fn(async () => ({ policies: [], departments: [] })),
    reportCsv: vi.fn(async () => 'assignment_id\r\n'),
    confirmation: vi.fn(async (action, id) => (id === 'A1' ? { ...confirmation, action } : undefined)),
  };
}

function provider(claims: Record<string, unknown> = { 'cognito:groups': ['attest-admins'] }): SignInProvider {
  return {
    start: vi.fn(async (returnTo: string, now: number) => ({
      url: 'https://idp.example/authorize?x=1',
      pending: { state: 's', nonce: 'n', codeVerifier: 'v', returnTo, startedAt: now },
    })),
    finish: vi.fn(async (url: URL) => {
      if (url.searchParams.get('code') !== 'good') throw new Error('invalid_grant');
      return { subject: 'sub-1', email: 'hr@example.org', claims };
    }),
    endSessionUrl: vi.fn(async () => 'https://idp.example/logout?client_id=c'),
  };
}

/** A subject access export that names whose it is, and a page that says it was rendered from it. */
function subjectAccess() {
  return {
    export: vi.fn(async (id: string) =>
      id === 'S1' ? ({ about: { starterId: 'S1', employeeId: 'E1' } } as never) : undefined,
    ),
    html: vi.fn(async (data: { about: { starterId: string } }) => ({
      html: `<!DOCTYPE html><p>sar ${data.about.starterId}</p>`,
      csp: "default-src 'none'; style-src 'sha256-x'",
    })),
  };
}

function setup(options: { claims?: Record<string, unknown> } = {}) {
  const clock = new FakeClock(T0);
  const q = queries();
  const sar = subjectAccess();
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const run = {
    resend: vi.fn(async () => {}),
    cancel: vi.fn(async () => {}),
    replay: vi.fn(async () => {}),
    accept: vi.fn(async () => {}),
  };
  const signIn = provider(options.claims);
  const app = makeConsoleApp({
    queries: q,
    actions: { run },
    signIn,
    sealer,
    pages,
    subjectAccess: sar,
    clock,
    logger,
    settings,
  });
  return { app, clock, q, run, signIn, sar, logger };
}

function event(
  method: string,
  path: string,
  options: { query?: string; cookies?: string[]; body?: string; origin?: string } = {},
): HttpEvent {
  return {
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: options.origin ? { origin: options.origin } : {},
    ...(options.cookies && { cookies: options.cookies }),
    requestContext: { http: { method, sourceIp: '203.0.113.9' }, domainName: 'console.example.org' },
    ...(options.body !== undefined && { body: options.body, isBase64Encoded: false }),
  } as unknown as HttpEvent;
}

const session = (overrides: Partial<Session> = {}): Session => ({
  subject: 'sub-1',
  email: 'hr@example.org',
  role: 'admin',
  csrf: 'csrf-token-1',
  signedInAt: T0.getTime(),
  seenAt: T0.getTime(),
  ...overrides,
});
const cookieOf = (s: Session) => `${SESSION_COOKIE}=${sealer.seal(SESSION_COOKIE, s)}`;
const cookieValue = (result: HttpResult, name: string) =>
  result.cookies
    ?.find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

describe('signing in', () => {
  it('a signed-out page request starts sign-in at the provider, remembering the page in a sealed, HttpOnly cookie', async () => {
    // Arrange
    const { app, signIn } = setup();

    // Act
    const result = await app(event('GET', '/console/policies', { query: 'x=1' }));

    // Assess
    expect(result.statusCode).toBe(302);
    expect(result.headers?.location).toBe('https://idp.example/authorize?x=1');
    expect(signIn.start).toHaveBeenCalledWith('/console/policies?x=1', T0.getTime());
    const cookie = result.cookies?.find((c) => c.startsWith(`${SIGN_IN_COOKIE}=`)) ?? '';
    expect(cookie).toMatch(/Path=\/console\/auth; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
    expect(cookie).not.toContain('policies');
  });

  it('the callback checks the provider’s answer, sets the session and returns to the page first asked for', async () => {
    // Arrange
    const { app } = setup();
    const started = await app(event('GET', '/console/people/S1'));
    const pending = `${SIGN_IN_COOKIE}=${cookieValue(started, SIGN_IN_COOKIE)}`;

    // Act
    const result = await app(
      event('GET', '/console/auth/callback', { query: 'code=good&state=s', cookies: [pending] }),
    );

    // Assess
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/console/people/S1');
    const sealed = cookieValue(result, SESSION_COOKIE);
    expect(sealer.open<Session>(SESSION_COOKIE, sealed)).toMatchObject({
      subject: 'sub-1',
      email: 'hr@example.org',
      role: 'admin',
      signedInAt: T0.getTime(),
    });
    expect(result.cookies?.find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(
      /Path=\/console; Max-Age=28800; HttpOnly; SameSite=Lax; Secure$/,
    );
  });

  it.each([
    ['no sign-in under way', undefined, 'code=good', 400],
    ['a code the provider refuses', 'ok', 'code=bad', 400],
    ['the provider’s own error', 'ok', 'error=access_denied', 403],
  ])('refuses a callback with %s, setting no session', async (_name, pendingState, query, status) => {
    // Arrange
    const { app } = setup();
    const cookies = pendingState
      ? [
          `${SIGN_IN_COOKIE}=${sealer.seal(SIGN_IN_COOKIE, { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/console/', startedAt: T0.getTime() })}`,
        ]
      : [];

    // Act
    const result = await app(event('GET', '/console/auth/callback', { query, cookies }));

    // Assess
    expect(result.statusCode).toBe(status);
    expect(cookieValue(result, SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a sign-in started more than ten minutes before', async () => {
    // Arrange
    const { app, clock } = setup();
    const started = await app(event('GET', '/console/'));
    clock.advance(10 * 60_000 + 1);

    // Act
    const result = await app(
      event('GET', '/console/auth/callback', {
        query: 'code=good',
        cookies: [`${SIGN_IN_COOKIE}=${cookieValue(started, SIGN_IN_COOKIE)}`],
      }),
    );

    // Assess
    expect(result.statusCode).toBe(400);
  });

  it('a session cookie cannot stand in for the sign-in cookie (each is sealed under its own name)', async () => {
    // Arrange
    const { app } = setup();
    const swapped = `${SIGN_IN_COOKIE}=${sealer.seal(SESSION_COOKIE, { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/console/', startedAt: T0.getTime() })}`;

    // Act
    const result = await app(
      event('GET', '/console/auth/callback', { query: 'code=good', cookies: [swapped] }),
    );

    // Assess
    expect(result.statusCode).toBe(400);
  });

  it('someone in neither group gets the no-access page and no session', async () => {
    // Arrange
    const { app } = setup({ claims: { 'cognito:groups': ['staff'] } });
    const started = await app(event('GET', '/console/'));

    // Act
    const result = await app(
      event('GET', '/console/auth/callback', {
        query: 'code=good',
        cookies: [`${SIGN_IN_COOKIE}=${cookieValue(started, SIGN_IN_COOKIE)}`],
      }),
    );

    // Assess
    expect(result.statusCode).toBe(403);
    expect(result.body).toBe('no-access hr@example.org');
    expect(cookieValue(result, SESSION_COOKIE)).toBeUndefined();
  });

  it('never returns to a page outside the console after sign-in', async () => {
    // Arrange
    const { app } = setup();
    const pending = sealer.seal(SIGN_IN_COOKIE, {
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
      returnTo: '//evil.example/',
      startedAt: T0.getTime(),
    });

    // Act
    const result = await app(
      event('GET', '/console/auth/callback', {
        query: 'code=good',
        cookies: [`${SIGN_IN_COOKIE}=${pending}`],
      }),
    );

    // Assess
    expect(result.headers?.location).toBe('/console/');
  });
});

describe('roleOf', () => {
  it.each([
    [{ 'cognito:groups': ['attest-auditors', 'attest-admins'] }, 'admin'],
    [{ 'cognito:groups': ['attest-auditors'] }, 'auditor'],
    [{ 'cognito:groups': 'attest-auditors' }, 'auditor'],
    [{ 'cognito:groups': ['attest-admins-not'] }, undefined],
    [{ groups: ['attest-admins'] }, undefined],
    [{}, undefined],
  ])('%j → %s', (claims, role) => {
    expect(roleOf(claims, settings)).toBe(role);
  });
});

describe('sessions', () => {
  it('a live session sees the page; a tampered one is sent to sign in', async () => {
    // Arrange
    const { app } = setup();
    const good = cookieOf(session());
    const tampered = `${good.slice(0, -3)}${good.endsWith('A') ? 'B' : 'A'}xx`;

    // Act
    const ok = await app(event('GET', '/console/', { cookies: [good] }));
    const bad = await app(event('GET', '/console/', { cookies: [tampered] }));

    // Assess
    expect(ok).toMatchObject({ statusCode: 200, body: 'overview admin csrf-token-1' });
    expect(ok.headers?.['content-security-policy']).toBe("default-src 'none'");
    expect(ok.headers?.['cache-control']).toBe('no-store');
    expect(ok.headers?.['x-frame-options']).toBe('DENY');
    expect(bad.statusCode).toBe(302);
  });

  it('ends after the idle timeout, and is kept alive by use until the absolute one', async () => {
    // Arrange
    const { app, clock } = setup();
    let cookie = cookieOf(session());

    // Act: used every 25 minutes for 7 h 55 min, then idle for 31 minutes
    for (let i = 0; i < 19; i++) {
      clock.advance(25 * 60_000);
      const result = await app(event('GET', '/console/', { cookies: [cookie] }));
      expect(result.statusCode).toBe(200);
      const renewed = cookieValue(result, SESSION_COOKIE);
      if (renewed) cookie = `${SESSION_COOKIE}=${renewed}`;
    }
    clock.advance(25 * 60_000);
    const pastLifetime = await app(event('GET', '/console/', { cookies: [cookie] }));
    const idle = await (async () => {
      const fresh = setup();
      fresh.clock.advance(31 * 60_000);
      return fresh.app(event('GET', '/console/', { cookies: [cookieOf(session())] }));
    })();

    // Assess
    expect(pastLifetime.statusCode).toBe(302);
    expect(pastLifetime.cookies?.some((c) => c.startsWith(`${SESSION_COOKIE}=;`))).toBe(true);
    expect(idle.statusCode).toBe(302);
  });

  it('a POST without a live session changes nothing and says the session ended', async () => {
    // Arrange
    const { app, run } = setup();

    // Act
    const result = await app(
      event('POST', '/console/actions/resend', { body: 'csrf=x&assignment=A1&reason=asked', origin: BASE }),
    );

    // Assess
    expect(result.statusCode).toBe(403);
    expect(run.resend).not.toHaveBeenCalled();
  });

  it('sign-out clears the session and ends it at the provider', async () => {
    // Arrange
    const { app } = setup();

    // Act
    const result = await app(
      event('POST', '/console/auth/logout', {
        cookies: [cookieOf(session())],
        body: 'csrf=csrf-token-1',
        origin: BASE,
      }),
    );

    const ended = await app(event('GET', '/console/auth/end-session'));

    // Assess
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/console/auth/end-session');
    expect(ended.statusCode).toBe(302);
    expect(ended.headers?.location).toBe('https://idp.example/logout?client_id=c');
    expect(result.cookies).toContain(
      `${SESSION_COOKIE}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Lax; Secure`,
    );
  });
});

describe('state changes', () => {
  const post = (body: string, origin: string | null = BASE, s = session()) =>
    event('POST', '/console/actions/resend', { cookies: [cookieOf(s)], body, ...(origin && { origin }) });

  it.each([
    ['no CSRF token', 'assignment=A1&reason=asked+by+phone', BASE],
    ['another CSRF token', 'csrf=csrf-token-2&assignment=A1&reason=asked+by+phone', BASE],
    ['another Origin', 'csrf=csrf-token-1&assignment=A1&reason=asked+by+phone', 'https://evil.example'],
    ['no Origin', 'csrf=csrf-token-1&assignment=A1&reason=asked+by+phone', null],
  ])('refuses a POST with %s (403), changing nothing', async (_name, body, origin) => {
    // Arrange
    const { app, run } = setup();

    // Act
    const result = await app(post(body, origin));

    // Assess
    expect(result.statusCode).toBe(403);
    expect(run.resend).not.toHaveBeenCalled();
  });

  it('refuses an auditor’s action, even with a good token (403), and shows them no confirm page', async () => {
    // Arrange
    const { app, run } = setup();
    const auditor = session({ role: 'auditor' });

    // Act
    const forged = await app(post('csrf=csrf-token-1&assignment=A1&reason=asked+by+phone', BASE, auditor));
    const confirm = await app(
      event('GET', '/console/actions/cancel', { query: 'assignment=A1', cookies: [cookieOf(auditor)] }),
    );

    // Assess
    expect(forged.statusCode).toBe(403);
    expect(confirm.statusCode).toBe(403);
    expect(run.resend).not.toHaveBeenCalled();
  });

  it('an admin’s action is done with who and why, then 303 to the person with the notice', async () => {
    // Arrange
    const { app, run } = setup();

    // Act
    const result = await app(post('csrf=csrf-token-1&assignment=A1&reason=Asked+by+phone%0D%0Atoday'));
    const after = await app(
      event('GET', '/console/people/S1', { query: 'done=resend', cookies: [cookieOf(session())] }),
    );

    // Assess
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/console/people/S1?done=resend');
    expect(run.resend).toHaveBeenCalledWith(
      'A1',
      { user: { subject: 'sub-1', email: 'hr@example.org', role: 'admin' }, reason: 'Asked by phone today' },
      undefined,
      { who: 'Zoë Lee', policy: 'Safe internet use (version 1)' },
    );
    expect(after.body).toContain('Invite resent');
  });

  it('asks again for a missing reason (422) and shows a refusal with its message (409), changing nothing', async () => {
    // Arrange
    const { app, run } = setup();
    run.cancel.mockRejectedValueOnce(new AttestError('cancel.refused', 'This person has signed already.'));

    // Act
    const missing = await app(post('csrf=csrf-token-1&assignment=A1&reason=+'));
    const refused = await app(
      event('POST', '/console/actions/cancel', {
        cookies: [cookieOf(session())],
        body: 'csrf=csrf-token-1&assignment=A1&reason=Left+before+starting',
        origin: BASE,
      }),
    );

    // Assess
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Say why');
    expect(run.resend).not.toHaveBeenCalled();
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This person has signed already.');
  });

  describe('recording an agreement on their behalf', () => {
    const accept = (body: string, origin: string | null = BASE, s = session()) =>
      event('POST', '/console/actions/accept', { cookies: [cookieOf(s)], body, ...(origin && { origin }) });
    const NOTE = 'reason=Paper+form+signed+at+induction';

    it('shows an admin the confirmation with a note to type, and records with the note and who', async () => {
      // Arrange
      const { app, run } = setup();

      // Act
      const confirm = await app(
        event('GET', '/console/actions/accept', { query: 'assignment=A1', cookies: [cookieOf(session())] }),
      );
      const result = await app(accept(`csrf=csrf-token-1&assignment=A1&${NOTE}`));

      // Assess
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain('confirm accept');
      expect(result.statusCode).toBe(303);
      expect(result.headers?.location).toBe('/console/people/S1?done=accept');
      expect(run.accept).toHaveBeenCalledWith(
        'A1',
        {
          user: { subject: 'sub-1', email: 'hr@example.org', role: 'admin' },
          reason: 'Paper form signed at induction',
        },
        undefined,
        { who: 'Zoë Lee', policy: 'Safe internet use (version 1)' },
      );
    });

    it.each([
      ['no CSRF token', `assignment=A1&${NOTE}`, BASE],
      ['another CSRF token', `csrf=csrf-token-2&assignment=A1&${NOTE}`, BASE],
      ['another Origin', `csrf=csrf-token-1&assignment=A1&${NOTE}`, 'https://evil.example'],
    ])('refuses a POST with %s (403), recording nothing', async (_name, body, origin) => {
      // Arrange
      const { app, run } = setup();

      // Act
      const result = await app(accept(body, origin));

      // Assess
      expect(result.statusCode).toBe(403);
      expect(run.accept).not.toHaveBeenCalled();
    });

    it('refuses an auditor (403), recording nothing', async () => {
      // Arrange
      const { app, run } = setup();

      // Act
      const result = await app(
        accept(`csrf=csrf-token-1&assignment=A1&${NOTE}`, BASE, session({ role: 'auditor' })),
      );

      // Assess
      expect(result.statusCode).toBe(403);
      expect(run.accept).not.toHaveBeenCalled();
    });

    it.each([
      ['no note', 'reason=+', 'A note is required'],
      ['a note with a bidi override', 'reason=Paper%E2%80%AEform+signed', 'cannot be seen'],
    ])('asks again for %s (422), recording nothing', async (_name, note, message) => {
      // Arrange
      const { app, run } = setup();

      // Act
      const result = await app(accept(`csrf=csrf-token-1&assignment=A1&${note}`));

      // Assess
      expect(result.statusCode).toBe(422);
      expect(result.body).toContain(message);
      expect(run.accept).not.toHaveBeenCalled();
    });
  });

  it('an unknown assignment is a 404, never an action', async () => {
    // Arrange
    const { app, run } = setup();

    // Act
    const result = await app(post('csrf=csrf-token-1&assignment=NOPE&reason=asked+by+phone'));

    // Assess
    expect(result.statusCode).toBe(404);
    expect(run.resend).not.toHaveBeenCalled();
  });
});

describe('pages and exports', () => {
  const get = (path: string, query = '', s = session()) =>
    event('GET', path, { query, cookies: [cookieOf(s)] });

  it('searches people by POST (no name in any URL), with the session’s token', async () => {
    // Arrange
    const { app, q } = setup();

    // Act
    const result = await app(
      event('POST', '/console/people', {
        cookies: [cookieOf(session())],
        body: 'csrf=csrf-token-1&q=Zo%C3%AB',
        origin: BASE,
      }),
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(q.searchPeople).toHaveBeenCalledWith('Zoë');
  });

  it('exports the report CSV and one person’s evidence JSON as downloads, never cached', async () => {
    // Arrange
    const { app, q } = setup();

    // Act
    const csv = await app(
      get(
        '/console/exports/report.csv',
        'policy=safe-internet-use&status=all&department=Sales&since=2026-01-01&until=2026-01-31',
      ),
    );
    const json = await app(get('/console/people/S1/evidence.json'));

    // Assess
    expect(csv.statusCode).toBe(200);
    expect(csv.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers?.['content-disposition']).toBe(
      'attachment; filename="attest-safe-internet-use-all.csv"',
    );
    expect(q.reportCsv).toHaveBeenCalledWith({
      policyId: 'safe-internet-use',
      status: 'all',
      department: 'Sales',
      since: new Date('2026-01-01T00:00:00Z'),
      until: new Date('2026-02-01T00:00:00Z'),
    });
    expect(json.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(json.body ?? '')).toEqual({ starter: { starterId: 'S1' } });
  });

  it('shows the exports form again, as filled in, with each wrong field’s problem (422), exporting nothing', async () => {
    // Arrange
    const { app, q, logger } = setup();

    // Act
    const refused = await app(
      get(
        '/console/exports/report.csv',
        'policy=safe-internet-use&status=lost&since=2026-02-30&until=2026-03-01',
      ),
    );

    // Assess: a friendly page, not a generic error, and no CSV read or logged
    expect(refused.statusCode).toBe(422);
    expect(refused.headers?.['content-type']).toMatch(/^text\/html/);
    const [, view, notice] = /^exports (\{.*\}) (.*)$/.exec(refused.body ?? '') ?? [];
    expect(JSON.parse(view ?? '')).toEqual({
      policies: [],
      departments: [],
      asked: {
        policy: 'safe-internet-use',
        status: 'lost',
        department: '',
        since: '2026-02-30',
        until: '2026-03-01',
      },
      errors: {
        status: 'Choose one of the statuses.',
        since: 'The since day must be a date (YYYY-MM-DD).',
      },
    });
    expect(notice).toBe('The CSV was not made: 2 answers need correcting, as said below.');
    expect(q.reportCsv).not.toHaveBeenCalled();
    expect(logger.info).not.toHaveBeenCalledWith('console export', expect.anything());
  });

  it('shows the exports form again (422) for a policy not published yet, exporting nothing', async () => {
    // Arrange: the deployment carries the policy, but no version of it is in the table
    const { app, q } = setup();
    vi.mocked(q.reportCsv).mockResolvedValueOnce(undefined);

    // Act
    const refused = await app(get('/console/exports/report.csv', 'policy=safe-internet-use'));

    // Assess
    expect(refused.statusCode).toBe(422);
    const [, view, notice] = /^exports (\{.*\}) (.*)$/.exec(refused.body ?? '') ?? [];
    expect(JSON.parse(view ?? '')).toMatchObject({
      asked: { policy: 'safe-internet-use' },
      errors: { policy: 'That policy has not been published yet.' },
    });
    expect(notice).toBe('The CSV was not made: one answer needs correcting, as said below.');
  });

  it.each([
    ['/console/nowhere', ''],
    ['/console/people/NOPE', ''],
    ['/console/policies/safe-internet-use/diff', 'from=2&to=1'],
    ['/elsewhere', ''],
  ])('%s?%s is a 404 page', async (path, query) => {
    const { app } = setup();
    expect((await app(get(path, query))).statusCode).toBe(404);
  });

  it('gives an admin a person’s subject access export as JSON and HTML downloads, never cached, logged without personal data', async () => {
    // Arrange
    const { app, sar, logger } = setup();

    // Act
    const json = await app(get('/console/people/S1/subject-access.json'));
    const page = await app(get('/console/people/S1/subject-access.html'));

    // Assess
    expect(json.statusCode).toBe(200);
    expect(json.headers).toMatchObject({
      'content-type': 'application/json',
      'content-disposition': 'attachment; filename="attest-subject-access-S1.json"',
      'cache-control': 'no-store',
    });
    expect(JSON.parse(json.body ?? '')).toEqual({ about: { starterId: 'S1', employeeId: 'E1' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-disposition': 'attachment; filename="attest-subject-access-S1.html"',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'sha256-x'",
    });
    expect(page.body).toBe('<!DOCTYPE html><p>sar S1</p>');
    expect(sar.export).toHaveBeenCalledWith('S1');
    expect(logger.info).toHaveBeenCalledWith('console export', {
      kind: 'subject-access',
      starterId: 'S1',
      subject: 'sub-1',
    });
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain('hr@example.org');
  });

  it.each(['json', 'html'])(
    'refuses an auditor the subject access export as %s (403), reading nothing',
    async (as) => {
      // Arrange
      const { app, sar, logger } = setup();

      // Act
      const result = await app(
        get(`/console/people/S1/subject-access.${as}`, '', session({ role: 'auditor' })),
      );

      // Assess
      expect(result.statusCode).toBe(403);
      expect(result.body).toBe('error 403 Only admins can do this');
      expect(result.headers?.['content-disposition']).toBeUndefined();
      expect(sar.export).not.toHaveBeenCalled();
      expect(logger.warn).toHaveBeenCalledWith('console request refused', {
        reason: 'role',
        subject: 'sub-1',
      });
    },
  );

  it('answers 404 for the subject access export of nobody', async () => {
    // Arrange
    const { app } = setup();

    // Act
    const result = await app(get('/console/people/NOPE/subject-access.json'));

    // Assess
    expect(result.statusCode).toBe(404);
  });

  it('an auditor sees deliveries without replay', async () => {
    const { app } = setup();
    expect((await app(get('/console/deliveries', '', session({ role: 'auditor' })))).body).toBe(
      'deliveries false',
    );
  });

  it('the page after sign-out needs no session', async () => {
    const { app } = setup();
    expect(await app(event('GET', '/console/signed-out'))).toMatchObject({
      statusCode: 200,
      body: 'signed-out',
    });
  });
});

describe('exportParams', () => {
  it.each([
    ['policy=other', 'policy'],
    ['policy=safe-internet-use&status=lost', 'status'],
    ['policy=safe-internet-use&since=2026-02-30', 'since'],
    ['policy=safe-internet-use&since=2026-02-03&until=2026-02-01', 'since'],
    ['policy=safe-internet-use&department=Sales%E2%80%AE', 'department'],
  ])('%s is refused, naming %s', (query, field) => {
    expect(() => exportParams(new URLSearchParams(query), settings.policies)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ field })] }),
    );
  });
});
