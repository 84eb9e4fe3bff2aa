// The demo Moodle inside the demo LMS receiver: the two REST web-service functions attest calls, with Moodle's parameter format and error shapes, and the overrides it was asked for.
import { timingSafeEqual } from 'node:crypto';
import { DEMO_ACTIVITIES } from './settings.ts';

/** A Moodle user as `core_user_get_users_by_field` answers it (the fields attest reads and a few more). */
export interface MoodleUser {
  id: number;
  username: string;
  email: string;
  idnumber: string;
  firstname: string;
  lastname: string;
}

/** One call of `core_completion_override_activity_completion_status`, as the demo took it. */
export interface MoodleOverride {
  userid: number;
  email: string;
  cmid: number;
  newstate: number;
  /** The state it answered: 1 when the activity tracks completion, 0 when it does not. */
  state: number;
  at: string;
}

// The demo course's activities live in settings.ts, beside the settings that name one.
export { DEMO_ACTIVITIES };

/** Moodle's exception body (lib/externallib.php), sent by its REST server with HTTP 200. */
const exception = (exceptionClass: string, errorcode: string, message: string, debuginfo?: string) => ({
  exception: exceptionClass,
  errorcode,
  message,
  ...(debuginfo && { debuginfo }),
});
const invalidParameter = (debuginfo: string) =>
  exception('invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected', debuginfo);
const missingRecord = (table: string) =>
  exception(
    'dml_missing_record_exception',
    'invalidrecord',
    `Can't find data record in database table ${table}.`,
  );

const equal = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A whole number as Moodle's PARAM_INT takes it, or undefined. */
const integer = (value: string | null) =>
  value !== null && /^-?\d+$/.test(value) ? Number(value) : undefined;

/**
 * The demo Moodle: `POST /moodle/webservice/rest/server.php` with `wstoken`, `wsfunction`,
 * `moodlewsrestformat=json` and the function's parameters, form-encoded (or in the query, as
 * Moodle also takes them). Users are added with `addUser` (the receiver's `POST /moodle/users`).
 */
export function createMoodle(token: string) {
  const users: MoodleUser[] = [];
  const overrides: MoodleOverride[] = [];
  const completions = new Map<string, number>();
  const tracked = new Set<number>([DEMO_ACTIVITIES.tracked]);
  /** While revoked, the token is unknown, as after an admin deletes it. */
  let revoked = false;

  function addUser(user: Partial<Omit<MoodleUser, 'id'>> & { email: string }): MoodleUser {
    const id = users.length + 3; // 1 is the guest, 2 the admin, as on a fresh Moodle
    const added: MoodleUser = {
      id,
      username: user.username ?? user.email.toLowerCase(),
      email: user.email,
      idnumber: user.idnumber ?? '',
      firstname: user.firstname ?? 'Demo',
      lastname: user.lastname ?? `User ${id}`,
    };
    users.push(added);
    return added;
  }

  function usersByField(params: URLSearchParams) {
    const field = params.get('field');
    if (field === null) return invalidParameter('Missing required key in single structure: field');
    if (!['id', 'idnumber', 'username', 'email'].includes(field)) {
      return invalidParameter(`Invalid field: ${field}`);
    }
    const values = [...params.entries()].filter(([k]) => /^values\[\d+\]$/.test(k)).map(([, v]) => v);
    // As Moodle: emails compared without case; other fields exactly.
    const same = (user: MoodleUser, value: string) =>
      field === 'email'
        ? user.email.toLowerCase() === value.toLowerCase()
        : String(user[field as keyof MoodleUser]) === value;
    return users
      .filter((u) => values.some((v) => same(u, v)))
      .map((u) => ({ ...u, fullname: `${u.firstname} ${u.lastname}`, auth: 'manual', confirmed: true }));
  }

  function overrideCompletion(params: URLSearchParams, at: Date) {
    const [userid, cmid, newstate] = ['userid', 'cmid', 'newstate'].map((k) => integer(params.get(k)));
    if (userid === undefined) return invalidParameter('userid => Invalid parameter value detected');
    if (cmid === undefined) return invalidParameter('cmid => Invalid parameter value detected');
    if (newstate === undefined) return invalidParameter('newstate => Invalid parameter value detected');
    // COMPLETION_INCOMPLETE or COMPLETION_COMPLETE only (completion/classes/external.php).
    if (newstate !== 0 && newstate !== 1) return invalidParameter('newstate must be 0 or 1');
    const user = users.find((u) => u.id === userid);
    if (!user) return missingRecord('user');
    if (cmid !== DEMO_ACTIVITIES.tracked && cmid !== DEMO_ACTIVITIES.untracked) {
      return missingRecord('course_modules');
    }
    // An activity without completion tracking keeps state 0 whatever is asked: tracking 0 says why.
    const tracking = tracked.has(cmid) ? 1 : 0;
    const key = `${userid}:${cmid}`;
    if (tracking) completions.set(key, newstate);
    const state = completions.get(key) ?? 0;
    overrides.push({ userid, email: user.email, cmid, newstate, state, at: at.toISOString() });
    return {
      cmid,
      userid,
      state,
      timecompleted: state ? Math.floor(at.getTime() / 1000) : 0,
      overrideby: 2,
      tracking,
    };
  }

  const functions: Record<string, (params: URLSearchParams, at: Date) => unknown> = {
    core_user_get_users_by_field: usersByField,
    core_completion_override_activity_completion_status: overrideCompletion,
  };

  /** One request to `/moodle/…`: Moodle answers with 200 whatever went wrong, as its REST server does. */
  function handle(request: { method: string; path: string; query: URLSearchParams; body: string }) {
    if (request.path !== 'webservice/rest/server.php' || !['GET', 'POST'].includes(request.method)) {
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
    }
    const params = new URLSearchParams(request.query);
    for (const [k, v] of new URLSearchParams(request.body)) params.append(k, v);
    const answer = (() => {
      if (revoked || !equal(params.get('wstoken') ?? '', token)) {
        return exception('moodle_exception', 'invalidtoken', 'Invalid token - token not found');
      }
      const call = functions[params.get('wsfunction') ?? ''];
      // A function the token's service does not include.
      if (!call)
        return exception('webservice_access_exception', 'accessexception', 'Access control exception');
      return call(params, new Date());
    })();
    if (params.get('moodlewsrestformat') !== 'json') {
      // Moodle's default is XML; attest always asks for JSON, so the demo answers XML for errors only.
      return {
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="invalid_parameter_exception"><MESSAGE>moodlewsrestformat must be json here</MESSAGE></EXCEPTION>',
      };
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) };
  }

  /** An admin's changes: completion tracking of an activity on or off; the token revoked or restored. */
  const admin = {
    track(cmid: number, on: boolean) {
      if (cmid !== DEMO_ACTIVITIES.tracked && cmid !== DEMO_ACTIVITIES.untracked) return false;
      if (on) tracked.add(cmid);
      else tracked.delete(cmid);
      return true;
    },
    revoke(on: boolean) {
      revoked = on;
    },
  };

  return { handle, addUser, admin, users: () => [...users], overrides: () => [...overrides] };
}

export type DemoMoodle = ReturnType<typeof createMoodle>;
