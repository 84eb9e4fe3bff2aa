// The console's HTTP edge: sign-in and sessions, CSRF and Origin checks, roles, and each page and action under /console.
import type { SignInProvider } from '../../adapters/oidc.ts';
import { errorLocation } from '../../adapters/stack-map.ts';
import { checkNote } from '../../core/accept-on-behalf.ts';
import type { Actor, makeConsoleActions } from '../../core/console/actions.ts';
import { checkReason } from '../../core/console/actions.ts';
import type {
  ActionName,
  ConfirmView,
  ConsoleUser,
  DeliveriesView,
  ExportField,
  ExportsView,
  Frame,
  OverviewView,
  PeopleView,
  PersonView,
  PoliciesView,
  PolicyDiffView,
  Role,
  Section,
} from '../../core/console/views.ts';
import { EXPORT_FIELDS } from '../../core/console/views.ts';
import { parseDay } from '../../core/dates.ts';
import { isDestinationName } from '../../core/destinations/names.ts';
import { AttestError, type FieldIssue, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { DeliveryKind } from '../../core/model.ts';
import type { SubjectAccessExport } from '../../core/privacy/export.ts';
import { REPORT_FILTERS, type ReportFilter } from '../../core/report.ts';
import { hasUnseen } from '../../core/visible.ts';
import type { Clock, Logger } from '../../ports.ts';
import { type HttpEvent, type HttpResult, headers, pageHeaders, rawBody } from '../http.ts';
import {
  clearCookie,
  type PendingSignIn,
  randomToken,
  readCookies,
  SESSION_COOKIE,
  type Sealer,
  type Session,
  SIGN_IN_COOKIE,
  SIGN_IN_MS,
  sameToken,
  sessionAt,
  setCookie,
} from './session.ts';

/** What the console reads (shared/core/console/queries.ts). */
export interface ConsoleQueries {
  overview(): Promise<OverviewView>;
  searchPeople(query: string): Promise<PeopleView>;
  person(starterId: string, role: Role): Promise<PersonView | undefined>;
  personEvidence(starterId: string): Promise<unknown | undefined>;
  policies(): Promise<PoliciesView>;
  policyDiff(policyId: string, from: number, to: number): Promise<PolicyDiffView | undefined>;
  deliveries(role: Role): Promise<DeliveriesView>;
  exports(): Promise<ExportsView>;
  reportCsv(params: {
    policyId: string;
    status: ReportFilter;
    department?: string;
    since?: Date;
    until?: Date;
  }): Promise<string | undefined>;
  confirmation(
    action: ActionName,
    assignmentId: string,
    destination?: DeliveryKind,
  ): Promise<ConfirmView | undefined>;
}

/** The console's pages as HTML (templates/console). */
export interface ConsolePages {
  csp: string;
  overview(frame: Frame, view: OverviewView): string;
  people(frame: Frame, view: PeopleView): string;
  person(frame: Frame, view: PersonView): string;
  policies(frame: Frame, view: PoliciesView): string;
  policyDiff(frame: Frame, view: PolicyDiffView): string;
  deliveries(frame: Frame, view: DeliveriesView): string;
  exports(frame: Frame, view: ExportsView): string;
  confirm(frame: Frame, view: ConfirmView): string;
  error(error: { status: number; title: string; message: string }, frame?: Frame): string;
  signedOut(): string;
  noAccess(email: string): string;
}

/** Subject access exports (shared/core/privacy/export.ts) and their page (templates/privacy-export.ts). */
export interface ConsoleSubjectAccess {
  /** Everything held about the starter; undefined when there is no such starter. */
  export(starterId: string): Promise<SubjectAccessExport | undefined>;
  /** The export as a page, with the page's own CSP, sent with its download (it allows only the page's stylesheet). */
  html(data: SubjectAccessExport): Promise<{ html: string; csp: string }>;
}

export interface ConsoleSettings {
  /** PUBLIC_BASE_URL; without it, the request's own host over https. */
  baseUrl?: string | undefined;
  groupsClaim: string;
  adminGroup: string;
  auditorGroup: string;
  idleMs: number;
  lifetimeMs: number;
  /** The deployment's policy ids: exports are of these only. */
  policies: readonly string[];
}

export interface ConsoleAppDeps {
  queries: ConsoleQueries;
  actions: Pick<ReturnType<typeof makeConsoleActions>, 'run'>;
  signIn: SignInProvider;
  sealer: Sealer;
  pages: ConsolePages;
  subjectAccess: ConsoleSubjectAccess;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  settings: ConsoleSettings;
}

const ACTIONS: readonly ActionName[] = ['resend', 'cancel', 'replay', 'accept'];

/** A person's subject access downloads, by the last segment of their path. */
const SUBJECT_ACCESS: Readonly<Record<string, 'json' | 'html'>> = {
  'subject-access.json': 'json',
  'subject-access.html': 'html',
};

/** What an action's 303 back to the person's page says, by its code (never personal data in the URL). */
const DONE: Record<ActionName, string> = {
  resend: 'Invite resent: a fresh link goes to the address on file within a minute.',
  cancel: 'Assignment cancelled: chasing has stopped. The reason is in the audit trail.',
  replay: 'Delivery replayed: it is sent again on the sweeper’s next run (every few minutes).',
  accept:
    'Agreement recorded on their behalf: marked so in the evidence; their receipt and the LMS deliveries follow.',
};

/** A refusal the person sees as a page, with its status. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/** The role the provider's groups give: admin over auditor; none when in neither group. */
export function roleOf(claims: Record<string, unknown>, settings: ConsoleSettings): Role | undefined {
  const raw = claims[settings.groupsClaim];
  const groups = Array.isArray(raw)
    ? raw.filter((g): g is string => typeof g === 'string')
    : typeof raw === 'string'
      ? raw.split(/[\s,]+/)
      : [];
  if (groups.includes(settings.adminGroup)) return 'admin';
  if (groups.includes(settings.auditorGroup)) return 'auditor';
  return undefined;
}

export function makeConsoleApp(deps: ConsoleAppDeps) {
  const { queries, pages, sealer, settings, clock, logger } = deps;
  const limits = { idleMs: settings.idleMs, lifetimeMs: settings.lifetimeMs };

  return async function handle(event: HttpEvent): Promise<HttpResult> {
    const base = settings.baseUrl ?? `https://${event.requestContext.domainName}`;
    const origin = new URL(base).origin;
    const root = `${new URL(base).pathname.replace(/\/$/, '')}/console`;
    const secure = new URL(base).protocol === 'https:';
    const cookieAt = (path: string) => ({ secure, path });
    const method = event.requestContext.http.method;
    const path = event.rawPath.replace(/\/+$/, '') || '/';
    const rel = path === root ? '' : path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
    const query = new URLSearchParams(event.rawQueryString ?? '');
    const cookies = readCookies(event.cookies);
    const now = clock.now().getTime();
    const out: string[] = [];

    const page = (status: number, html: string): HttpResult => ({
      statusCode: status,
      // Referrer-Policy same-origin (pageHeaders): the Origin check needs the console's own origin
      // on a form POST; other sites still get no Referer at all.
      headers: pageHeaders(pages.csp),
      body: html,
      ...(out.length && { cookies: out }),
    });
    const redirect = (location: string, status = 303): HttpResult => ({
      statusCode: status,
      headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'same-origin' },
      ...(out.length && { cookies: out }),
    });
    const download = (
      type: string,
      filename: string,
      body: string,
      extra: Record<string, string> = {},
    ): HttpResult => ({
      statusCode: 200,
      headers: {
        'content-type': type,
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        ...extra,
      },
      body,
      ...(out.length && { cookies: out }),
    });
    const bare = (status: number, title: string, message: string) =>
      page(status, pages.error({ status, title, message }));

    async function startSignIn(returnTo: string): Promise<HttpResult> {
      const { url, pending } = await deps.signIn.start(returnTo, now);
      out.push(
        setCookie(SIGN_IN_COOKIE, sealer.seal(SIGN_IN_COOKIE, pending), {
          ...cookieAt(`${root}/auth`),
          maxAgeSeconds: SIGN_IN_MS / 1000,
        }),
      );
      return redirect(url, 302);
    }

    async function finishSignIn(): Promise<HttpResult> {
      const pending = sealer.open<PendingSignIn>(SIGN_IN_COOKIE, cookies.get(SIGN_IN_COOKIE));
      out.push(clearCookie(SIGN_IN_COOKIE, cookieAt(`${root}/auth`)));
      const again = 'sign in again from the console’s address';
      if (!pending || now - pending.startedAt > SIGN_IN_MS) {
        return bare(
          400,
          'Sign-in did not finish',
          `The sign-in took too long or was started in another window. Please ${again}.`,
        );
      }
      if (query.has('error')) {
        logger.warn('console sign-in refused by the provider', { error: query.get('error')?.slice(0, 64) });
        return bare(
          403,
          'Sign-in was not completed',
          `The identity provider did not sign you in. You can ${again}.`,
        );
      }
      let signedIn: Awaited<ReturnType<SignInProvider['finish']>>;
      try {
        signedIn = await deps.signIn.finish(
          new URL(`${base}/console/auth/callback?${event.rawQueryString}`),
          pending,
        );
      } catch (error) {
        logger.warn('console sign-in failed', {
          error: (error as Error).name,
          code: (error as AttestError).code,
        });
        return bare(
          400,
          'Sign-in did not finish',
          `The answer from the identity provider could not be checked. Please ${again}.`,
        );
      }
      const email = signedIn.email || signedIn.subject;
      if (
        hasUnseen(email) ||
        hasUnseen(signedIn.subject) ||
        email.length > 320 ||
        signedIn.subject.length > 255
      ) {
        return bare(
          400,
          'Sign-in did not finish',
          'The identity provider gave an account name that cannot be shown.',
        );
      }
      const role = roleOf(signedIn.claims, settings);
      if (!role) {
        logger.warn('console sign-in without a role', { subject: signedIn.subject });
        return page(403, pages.noAccess(email));
      }
      const session: Session = {
        subject: signedIn.subject,
        email,
        role,
        csrf: randomToken(),
        signedInAt: now,
        seenAt: now,
      };
      out.push(writeSession(session));
      logger.info('console signed in', { subject: session.subject, role });
      const target =
        pending.returnTo.startsWith(`${root}/`) && !pending.returnTo.startsWith('//')
          ? pending.returnTo
          : `${root}/`;
      return redirect(target);
    }

    function writeSession(session: Session): string {
      return setCookie(SESSION_COOKIE, sealer.seal(SESSION_COOKIE, session), {
        ...cookieAt(root),
        maxAgeSeconds: (session.signedInAt + settings.lifetimeMs - now) / 1000,
      });
    }

    try {
      if (rel === undefined) return bare(404, 'Page not found', 'There is no such page in the console.');
      // Sign-in's own steps, and the page after sign-out, need no session.
      if (method === 'GET' && rel === 'auth/login') return await startSignIn(`${root}/`);
      if (method === 'GET' && rel === 'auth/callback') return await finishSignIn();
      if (method === 'GET' && rel === 'signed-out') return page(200, pages.signedOut());
      // Sign-out's second step, a GET: the pages' CSP (form-action 'self') would block a form's
      // redirect to the provider, so the POST ends the session here and then comes this way.
      if (method === 'GET' && rel === 'auth/end-session')
        return redirect(await deps.signIn.endSessionUrl(), 302);

      const sealed = sealer.open<Session>(SESSION_COOKIE, cookies.get(SESSION_COOKIE));
      const standing = sealed && sessionAt(sealed, now, limits);
      if (!standing || standing.state === 'expired') {
        if (sealed) out.push(clearCookie(SESSION_COOKIE, cookieAt(root)));
        if (method === 'GET') {
          const here = `${path === root ? `${root}/` : path}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
          return await startSignIn(here);
        }
        return bare(
          403,
          'Your session has ended',
          'Nothing was changed. Please sign in again from the console’s address and try once more.',
        );
      }
      const session = standing.session;
      if (standing.touch) out.push(writeSession(session));
      const user: ConsoleUser = { subject: session.subject, email: session.email, role: session.role };
      const frameFor = (section: Section, title: string, notice?: Frame['notice']): Frame => ({
        user,
        csrf: session.csrf,
        section,
        title,
        ...(notice && { notice }),
      });

      let form = new URLSearchParams();
      if (method === 'POST') {
        // Every state change: from this console's own pages (Origin), carrying this session's token.
        const from = headers(event).origin;
        form = new URLSearchParams(rawBody(event));
        if (from !== origin || !sameToken(form.get('csrf'), session.csrf)) {
          logger.warn('console request refused', {
            reason: from !== origin ? 'origin' : 'csrf',
            subject: session.subject,
          });
          throw new Refusal(
            403,
            'This request was refused',
            'It did not come from this console’s own form. Nothing was changed; go back, reload the page and try again.',
          );
        }
      }

      const parts = rel.split('/');
      /** Refuses anyone but an admin (403), saying why in `message`. */
      const adminOnly = (message: string) => {
        if (user.role === 'admin') return;
        logger.warn('console request refused', { reason: 'role', subject: user.subject });
        throw new Refusal(403, 'Only admins can do this', message);
      };

      if (method === 'POST' && rel === 'auth/logout') {
        out.push(clearCookie(SESSION_COOKIE, cookieAt(root)));
        logger.info('console signed out', { subject: session.subject });
        return redirect(`${root}/auth/end-session`);
      }

      if (method === 'GET' && rel === '') {
        return page(200, pages.overview(frameFor('overview', 'Overview'), await queries.overview()));
      }
      if (rel === 'people') {
        if (method === 'GET') return page(200, pages.people(frameFor('people', 'People'), {}));
        const view = await queries.searchPeople(form.get('q') ?? '');
        return page(view.error ? 422 : 200, pages.people(frameFor('people', 'People'), view));
      }
      if (method === 'GET' && parts[0] === 'people' && parts.length === 2) {
        const view = await queries.person(parts[1] as string, user.role);
        if (!view) throw new NotFoundError('starter.not_found', 'There is no such person.');
        const done = query.get('done') as ActionName | null;
        const notice =
          done && ACTIONS.includes(done) ? { kind: 'success' as const, text: DONE[done] } : undefined;
        return page(200, pages.person(frameFor('people', view.starter.name, notice), view));
      }
      if (method === 'GET' && parts[0] === 'people' && parts.length === 3 && parts[2] === 'evidence.json') {
        const starterId = parts[1] as string;
        const evidence = await queries.personEvidence(starterId);
        if (!evidence) throw new NotFoundError('starter.not_found', 'There is no such person.');
        logger.info('console export', { kind: 'evidence', starterId, subject: user.subject });
        return download(
          'application/json',
          `attest-evidence-${starterId}.json`,
          `${JSON.stringify(evidence, null, 2)}\n`,
        );
      }
      const subjectAccessAs =
        parts[0] === 'people' && parts.length === 3 && SUBJECT_ACCESS[parts[2] as string];
      if (method === 'GET' && subjectAccessAs) {
        // Answering a subject access request is the data protection officer's job (an admin's
        // here), not an auditor's: it hands over everything held about a person, far beyond the
        // evidence an audit needs.
        adminOnly(
          'A subject access export is for admins, who answer such requests. Your role (auditor) can download the evidence instead.',
        );
        const starterId = parts[1] as string;
        const data = await deps.subjectAccess.export(starterId);
        if (!data) throw new NotFoundError('starter.not_found', 'There is no such person.');
        // The starter id and the admin's subject only: never the person's name or address.
        logger.info('console export', { kind: 'subject-access', starterId, subject: user.subject });
        const filename = `attest-subject-access-${starterId}.${subjectAccessAs}`;
        if (subjectAccessAs === 'json') {
          return download('application/json', filename, `${JSON.stringify(data, null, 2)}\n`);
        }
        const { html, csp } = await deps.subjectAccess.html(data);
        return download('text/html; charset=utf-8', filename, html, { 'content-security-policy': csp });
      }
      if (method === 'GET' && rel === 'policies') {
        return page(200, pages.policies(frameFor('policies', 'Policies'), await queries.policies()));
      }
      if (method === 'GET' && parts[0] === 'policies' && parts.length === 3 && parts[2] === 'diff') {
        const from = Number(query.get('from'));
        const to = Number(query.get('to'));
        const view =
          Number.isInteger(from) && Number.isInteger(to) && from >= 1 && to > from
            ? await queries.policyDiff(parts[1] as string, from, to)
            : undefined;
        if (!view)
          throw new NotFoundError(
            'policy.not_found',
            'There are no such versions of this policy to compare.',
          );
        return page(
          200,
          pages.policyDiff(frameFor('policies', `${view.title}: version ${from} to ${to}`), view),
        );
      }
      if (method === 'GET' && rel === 'deliveries') {
        return page(
          200,
          pages.deliveries(frameFor('deliveries', 'Deliveries'), await queries.deliveries(user.role)),
        );
      }
      if (method === 'GET' && rel === 'exports') {
        return page(200, pages.exports(frameFor('exports', 'Exports'), await queries.exports()));
      }
      if (method === 'GET' && rel === 'exports/report.csv') {
        /** The form again, as it was filled in, each field's problem beside it (422); nothing exported. */
        const refused = async (issues: readonly FieldIssue[]) => {
          const errors: ExportsView['errors'] = {};
          for (const issue of issues) errors[issue.field as ExportField] ??= issue.message;
          const asked = Object.fromEntries(EXPORT_FIELDS.map((f) => [f, query.get(f)?.slice(0, 200) ?? '']));
          const count = Object.keys(errors).length;
          const notice = {
            kind: 'error' as const,
            text: `The CSV was not made: ${count === 1 ? 'one answer needs' : `${count} answers need`} correcting, as said below.`,
          };
          const view = { ...(await queries.exports()), asked, errors };
          return page(422, pages.exports(frameFor('exports', 'Exports', notice), view));
        };
        let params: ReturnType<typeof exportParams>;
        try {
          params = exportParams(query, settings.policies);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return await refused(error.issues);
        }
        const csv = await queries.reportCsv(params);
        if (csv === undefined)
          return await refused([{ field: 'policy', message: 'That policy has not been published yet.' }]);
        logger.info('console export', { kind: 'report', policyId: params.policyId, subject: user.subject });
        return download('text/csv; charset=utf-8', `attest-${params.policyId}-${params.status}.csv`, csv);
      }
      if (parts[0] === 'actions' && parts.length === 2 && ACTIONS.includes(parts[1] as ActionName)) {
        adminOnly('Your role (auditor) can see and export, not act. Nothing was changed.');
        const action = parts[1] as ActionName;
        const source = method === 'POST' ? form : query;
        const assignmentId = source.get('assignment') ?? '';
        const rawDestination = source.get('destination') ?? undefined;
        const destination = rawDestination && isDestinationName(rawDestination) ? rawDestination : undefined;
        const view = /^[A-Za-z0-9_-]{1,64}$/.test(assignmentId)
          ? await queries.confirmation(action, assignmentId, destination)
          : undefined;
        if (!view)
          throw new NotFoundError(
            'assignment.not_found',
            'There is nothing to do this to: it may have changed since the page was shown.',
          );
        const title = {
          resend: 'Resend the invite',
          cancel: 'Cancel the assignment',
          replay: 'Replay the delivery',
          accept: 'Record agreement on their behalf',
        }[action];
        if (method === 'GET') return page(200, pages.confirm(frameFor('people', title), view));
        const typed = form.get('reason') ?? '';
        let actor: Actor;
        try {
          // On behalf, the typed text is the agreement's note: held to the same rules, told as a note.
          actor = { user, reason: action === 'accept' ? checkNote(typed) : checkReason(typed) };
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const message = error.issues[0]?.message ?? 'Say why.';
          return page(
            422,
            pages.confirm(frameFor('people', title), { ...view, reason: typed, error: message }),
          );
        }
        try {
          // A refusal names the person and policy as this page does, never by the assignment's id.
          const named = { who: view.name, policy: `${view.policyTitle} (version ${view.policyVersion})` };
          await deps.actions.run[action](assignmentId, actor, destination, named);
        } catch (error) {
          if (!(error instanceof AttestError) || error instanceof ValidationError) throw error;
          return page(
            409,
            pages.confirm(frameFor('people', title, { kind: 'error', text: error.message }), {
              ...view,
              reason: typed,
            }),
          );
        }
        logger.info('console action', { action, assignmentId, subject: user.subject });
        return redirect(`${root}/people/${encodeURIComponent(view.starterId)}?done=${action}`);
      }
      throw new NotFoundError('console.not_found', 'There is no such page in the console.');
    } catch (error) {
      if (error instanceof Refusal) return bare(error.status, error.title, error.message);
      if (error instanceof NotFoundError) return bare(404, 'Not found', error.message);
      if (error instanceof ValidationError) {
        return bare(400, 'That request was not understood', error.issues.map((i) => i.message).join(' '));
      }
      logger.error('unhandled error', {
        error: error instanceof Error ? error.name : typeof error,
        code: (error as AttestError)?.code,
        at: errorLocation(error),
      });
      return bare(
        500,
        'Something went wrong',
        'Please try again in a few minutes. Nothing you asked for was lost.',
      );
    }
  };
}

/** The report export's parameters from its form, each checked: a known policy, a known status, real days. */
export function exportParams(query: URLSearchParams, policies: readonly string[]) {
  const issues: Array<{ field: ExportField; message: string }> = [];
  const policyId = query.get('policy') ?? '';
  if (!policies.includes(policyId)) issues.push({ field: 'policy', message: 'Choose one of the policies.' });
  const status = (query.get('status') || 'unsigned') as ReportFilter;
  if (!REPORT_FILTERS.includes(status))
    issues.push({ field: 'status', message: 'Choose one of the statuses.' });
  const department = query.get('department')?.trim() || undefined;
  if (department && (department.length > 200 || hasUnseen(department))) {
    issues.push({ field: 'department', message: 'Choose a department from the list.' });
  }
  const day = (field: 'since' | 'until', endOfDay: boolean) => {
    const value = query.get(field);
    if (!value) return undefined;
    const parsed = parseDay(value, endOfDay);
    if (!parsed) issues.push({ field, message: `The ${field} day must be a date (YYYY-MM-DD).` });
    return parsed;
  };
  const since = day('since', false);
  const until = day('until', true);
  if (since && until && since >= until)
    issues.push({ field: 'since', message: 'The first day must not be after the last.' });
  if (issues.length) throw new ValidationError('console.export', issues);
  return {
    policyId,
    status,
    ...(department && { department }),
    ...(since && { since }),
    ...(until && { until }),
  };
}
