// Moodle (and Totara) over its REST web services: the starter's Moodle user found by email, employee id or username, then the policy's activity overridden to complete.
import type { HttpRequest, HttpResponse } from '../../ports.ts';
import { ConfigError } from '../errors.ts';
import type { Starter } from '../model.ts';
import { secureUrl, textSetting } from '../validation.ts';
import * as z from '../zod.ts';
import { deliveryIds } from './delivery-ids.ts';
import {
  type AttemptOutcome,
  type ChannelTest,
  classify,
  defineDestination,
  type SteppedChannel,
} from './destination.ts';

/** Where Moodle's REST protocol server answers, below the site root (webservice/rest/server.php). */
export const REST_PATH = 'webservice/rest/server.php';
/** The two web-service functions the token's service must include. */
export const LOOKUP = 'core_user_get_users_by_field';
export const OVERRIDE = 'core_completion_override_activity_completion_status';
/** Moodle's completion states (lib/completionlib.php): COMPLETION_COMPLETE. */
const COMPLETION_COMPLETE = 1;
/** The field the delivery keeps the Moodle user id under once found, so a retry skips the lookup. */
export const USER_ID_FIELD = 'moodleUserId';

/** How a starter is found among Moodle's users: `core_user_get_users_by_field`'s `field`. */
export type MoodleUserField = 'email' | 'idnumber' | 'username';

export interface MoodleSettings {
  /** The site root, ending in `/`. */
  url: string;
  token: string;
  userField: MoodleUserField;
  /** The activity (course module id) each policy completes. */
  activities: ReadonlyMap<string, number>;
}

/**
 * The value a starter is looked up by: the email; the HR employee id as Moodle's `idnumber`; or,
 * as `username`, the email lower-cased (Moodle keeps usernames in lower case, and sites signing in
 * by email, e.g. through SSO, use it as the username).
 */
export function userValue(field: MoodleUserField, starter: Pick<Starter, 'email' | 'employeeId'>): string {
  if (field === 'idnumber') return starter.employeeId;
  return field === 'username' ? starter.email.toLowerCase() : starter.email;
}

/** The user lookup's parameters (`core_user_get_users_by_field`): the starter by the configured field. */
export function lookupParameters(
  field: MoodleUserField,
  starter: Pick<Starter, 'email' | 'employeeId'>,
): Record<string, string> {
  return { field, 'values[0]': userValue(field, starter) };
}

/** The completion override's parameters: the user's completion of the activity `cmid` set to complete. */
export function overrideParameters(userid: number, cmid: number): Record<string, number> {
  return { userid, cmid, newstate: COMPLETION_COMPLETE };
}

/** A web-service call as Moodle's REST server takes it: form-encoded, the token in the body (not the URL, kept out of logs). */
export function moodleRequest(
  settings: Pick<MoodleSettings, 'url' | 'token'>,
  wsfunction: string,
  parameters: Record<string, string | number>,
): HttpRequest {
  const body = new URLSearchParams({ wstoken: settings.token, wsfunction, moodlewsrestformat: 'json' });
  for (const [name, value] of Object.entries(parameters)) body.append(name, String(value));
  return {
    method: 'POST',
    url: `${settings.url}${REST_PATH}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: body.toString(),
  };
}

/**
 * Moodle's error codes that a later attempt may get past: the site in maintenance mode, or its
 * database failing (lib/dml). Every other error (invalidtoken, accessexception, nopermissions,
 * servicerequireslogin, completionnotenabled, invalidrecord, invalidparameter…) stays until an
 * admin acts: dead letters, replayed after.
 */
const TRANSIENT_ERRORS = new Set([
  'sitemaintenance',
  'dmlreadexception',
  'dmlwriteexception',
  'dbconnectionfailed',
]);

/** Moodle's exception shape (lib/externallib.php, webservice/rest/locallib.php): HTTP 200 with this body. */
const moodleError = z.object({
  exception: z.string(),
  errorcode: z.string(),
  message: z.string(),
  debuginfo: z.optional(z.string()),
});

/** A web-service answer read: its data, or what it means for the delivery. */
export type MoodleAnswer =
  | { data: unknown; response: HttpResponse }
  | { outcome: AttemptOutcome & { verdict: 'retry' | 'gone' | 'rejected' } };

/**
 * Reads one answer. HTTP first, as for any destination (5xx, 429, timeouts and network errors
 * retried; 410 disables); then the body, since Moodle answers its errors with 200 and
 * `{exception, errorcode, message}`: a transient code is retried, any other is a dead letter naming
 * the code and message. A 200 that is not JSON (a login page, a proxy's) is not Moodle's REST server.
 */
export function readMoodleAnswer(wsfunction: string, response: HttpResponse | null): MoodleAnswer {
  const status = response?.status ?? null;
  const byStatus = classify(status);
  if (byStatus !== 'delivered' || !response) {
    const verdict = byStatus === 'delivered' ? 'retry' : byStatus;
    return { outcome: { verdict, status, response: response ?? undefined } };
  }
  let data: unknown;
  try {
    data = JSON.parse(response.body);
  } catch {
    return {
      outcome: {
        verdict: 'rejected',
        status,
        response,
        detail: `${wsfunction}: the answer is not JSON: is MOODLE_URL the site root and REST enabled?`,
      },
    };
  }
  const error = moodleError.safeParse(data);
  if (!error.success) return { data, response };
  const { errorcode, message } = error.data;
  const verdict = TRANSIENT_ERRORS.has(errorcode) ? 'retry' : 'rejected';
  return { outcome: { verdict, status, response, detail: `${wsfunction}: ${errorcode}: ${message}` } };
}

const users = z.array(z.looseObject({ id: z.number().check(z.int(), z.positive()) }));
const completion = z.looseObject({
  cmid: z.number(),
  userid: z.number(),
  state: z.number(),
  tracking: z.number(),
});

const rejected = (response: HttpResponse, detail: string): AttemptOutcome => ({
  verdict: 'rejected',
  status: response.status,
  response,
  detail,
});

/**
 * `attest lms test`'s Moodle test: the user lookup alone (`core_user_get_users_by_field`), which
 * proves the URL, the token, the service and its function, and finds the person. Nothing is
 * completed. For the fake test person no user is the healthy answer; for a real starter exactly one.
 */
export function moodleTest(settings: Pick<MoodleSettings, 'url' | 'token' | 'userField'>): ChannelTest {
  return async (subject, call) => {
    const value = userValue(settings.userField, subject);
    const answer = readMoodleAnswer(
      LOOKUP,
      await call(moodleRequest(settings, LOOKUP, lookupParameters(settings.userField, subject))),
    );
    if ('outcome' in answer) {
      const { detail, status } = answer.outcome;
      return { healthy: false, verdict: detail ?? (status === null ? 'no answer' : `answered ${status}`) };
    }
    const found = users.safeParse(answer.data);
    if (!found.success) return { healthy: false, verdict: `${LOOKUP}: not a list of users` };
    const who = `${settings.userField} ${value}`;
    if (found.data.length === 1) {
      return { healthy: true, verdict: `Moodle user ${(found.data[0] as { id: number }).id} has ${who}` };
    }
    if (found.data.length > 1)
      return { healthy: false, verdict: `${found.data.length} Moodle users with ${who}` };
    if (!subject.real) {
      return {
        healthy: true,
        verdict: `the lookup works: no Moodle user with ${who}, as expected of the test person (--employee finds a starter's)`,
      };
    }
    return {
      healthy: false,
      verdict: `no Moodle user with ${who} (or the token’s user may not see them: moodle/user:viewdetails)`,
    };
  };
}

/**
 * One attempt at marking the policy's activity complete for the starter's Moodle user:
 * 1. The activity is the policy's (front matter or MOODLE_ACTIVITIES); none is a dead letter.
 * 2. The user id remembered on the delivery, or else `core_user_get_users_by_field`: exactly one
 *    user, never a guess — none or several is a dead letter saying so. The id found is kept on the
 *    delivery whatever happens next, so a retry does not look it up again.
 * 3. `core_completion_override_activity_completion_status` with `newstate=1`: delivered when the
 *    answer says state 1 with tracking on. Overriding to complete again is harmless, so a retry or
 *    replay after a lost answer marks it once.
 */
export function makeMoodleChannel(settings: MoodleSettings): SteppedChannel {
  return {
    idOf: (assignment) => assignment.moodle?.completionId as string,
    test: moodleTest(settings),
    async send({ starter, evidence, delivery, call }) {
      const cmid = settings.activities.get(evidence.policyId);
      if (cmid === undefined) {
        return {
          verdict: 'rejected',
          status: null,
          detail: `no Moodle activity for policy ${evidence.policyId}: give it moodle.cmid in its front matter, or name it in MOODLE_ACTIVITIES`,
        };
      }
      let userid =
        typeof delivery[USER_ID_FIELD] === 'number' ? (delivery[USER_ID_FIELD] as number) : undefined;
      let remember: AttemptOutcome['remember'];
      if (userid === undefined) {
        const value = userValue(settings.userField, starter);
        const request = moodleRequest(settings, LOOKUP, lookupParameters(settings.userField, starter));
        const answer = readMoodleAnswer(LOOKUP, await call(request));
        if ('outcome' in answer) return answer.outcome;
        const found = users.safeParse(answer.data);
        if (!found.success) return rejected(answer.response, `${LOOKUP}: not a list of users`);
        if (found.data.length !== 1) {
          const who = found.data.length ? `${found.data.length} Moodle users` : 'no Moodle user';
          return rejected(
            answer.response,
            `${who} with ${settings.userField} ${value}${found.data.length ? '' : ' (or the token’s user may not see them: moodle/user:viewdetails)'}`,
          );
        }
        userid = (found.data[0] as { id: number }).id;
        remember = { [USER_ID_FIELD]: userid };
      }
      const request = moodleRequest(settings, OVERRIDE, overrideParameters(userid, cmid));
      const answer = readMoodleAnswer(OVERRIDE, await call(request));
      if ('outcome' in answer) return { ...answer.outcome, ...(remember && { remember }) };
      const state = completion.safeParse(answer.data);
      const outcome: AttemptOutcome = !state.success
        ? rejected(answer.response, `${OVERRIDE}: not a completion status`)
        : state.data.tracking === 0
          ? rejected(answer.response, `completion tracking is off for activity ${cmid}`)
          : state.data.state !== COMPLETION_COMPLETE
            ? rejected(
                answer.response,
                `activity ${cmid} is in state ${state.data.state}, not complete, after the override`,
              )
            : { verdict: 'delivered', status: answer.response.status, response: answer.response };
      return { ...outcome, ...(remember && { remember }) };
    },
  };
}

/** `MOODLE_ACTIVITIES`: `policy-id=cmid,…`. */
export function parseActivities(text: string): Record<string, number> {
  const activities: Record<string, number> = {};
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (!entry) continue;
    const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)=([1-9]\d{0,17})$/.exec(entry);
    if (!match)
      throw new Error(`expected policy-id=cmid, comma-separated (safe-internet-use=123), not "${entry}"`);
    const [, policy, cmid] = match as unknown as [string, string, string];
    // Own keys only: `constructor` is a policy id like any other, not the object's prototype's.
    if (Object.hasOwn(activities, policy)) throw new Error(`names ${policy} twice`);
    activities[policy] = Number(cmid);
  }
  return activities;
}

export const moodle = defineDestination({
  ...deliveryIds.moodle,
  settings: z.object({
    /** The site root: web services are at `{MOODLE_URL}webservice/rest/server.php`. */
    MOODLE_URL: z.optional(
      z.pipe(
        secureUrl,
        z.transform((u: string) => (u.endsWith('/') ? u : `${u}/`)),
      ),
    ),
    MOODLE_USER_FIELD: z._default(z.enum(['email', 'idnumber', 'username']), 'email'),
    /** Overrides of the policies' `moodle.cmid`: `safe-internet-use=123,other-policy=456`. */
    MOODLE_ACTIVITIES: z._default(textSetting(parseActivities), {}),
  }),
  missing: (settings) => (settings.MOODLE_URL === undefined ? [{ setting: 'MOODLE_URL' }] : []),
  secrets: [
    {
      name: 'MOODLE_TOKEN',
      id: 'MoodleToken',
      description:
        'attest: the Moodle web-service token (set it to the token Moodle issued for the attest service)',
      rotation: 'Issued by Moodle: it rotates when a Moodle admin issues a new token, set by the operator.',
      check: (value) => {
        if (!/^[A-Za-z0-9]+$/.test(value)) {
          throw new ConfigError('MOODLE_TOKEN must be the token Moodle issued (letters and digits)');
        }
        return value;
      },
    },
  ],
  parameters: [
    {
      id: 'MoodleUrl',
      setting: 'MOODLE_URL',
      description: 'The Moodle site root, e.g. https://moodle.example.org/ (https only)',
      allowedPattern: '^https://.+',
    },
    {
      id: 'MoodleUserField',
      setting: 'MOODLE_USER_FIELD',
      description: 'How starters are found in Moodle: email, idnumber (the HR employee id) or username',
      default: 'email',
      allowedValues: ['email', 'idnumber', 'username'],
    },
    {
      id: 'MoodleActivities',
      setting: 'MOODLE_ACTIVITIES',
      description:
        'The activity each policy completes, over its front matter: policy-id=cmid, comma-separated',
      default: '',
      allowedPattern: '^([a-z0-9-]+=[0-9]+(,[a-z0-9-]+=[0-9]+)*)?$',
    },
  ],
  channel: (settings, secrets, { policies }) => {
    const activities = new Map<string, number>();
    for (const [id, policy] of policies) if (policy.moodle) activities.set(id, policy.moodle.cmid);
    for (const [id, cmid] of Object.entries(settings.MOODLE_ACTIVITIES)) {
      if (!policies.has(id)) {
        throw new ConfigError(`MOODLE_ACTIVITIES names ${id}, which is not a policy of this build`);
      }
      activities.set(id, cmid);
    }
    return makeMoodleChannel({
      url: settings.MOODLE_URL as string,
      token: secrets.MOODLE_TOKEN as string,
      userField: settings.MOODLE_USER_FIELD,
      activities,
    });
  },
});
