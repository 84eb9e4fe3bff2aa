// The demo Moodle: Moodle's REST parameter format and error shapes, so what attest learns against it holds against a real site.
import { describe, expect, it } from 'vitest';
import { createMoodle, DEMO_ACTIVITIES } from '../../../local/moodle.ts';

const TOKEN = 'demotoken0123456789';

function call(moodle: ReturnType<typeof createMoodle>, params: Record<string, string>, token = TOKEN) {
  const body = new URLSearchParams({ wstoken: token, moodlewsrestformat: 'json', ...params }).toString();
  const answer = moodle.handle({
    method: 'POST',
    path: 'webservice/rest/server.php',
    query: new URLSearchParams(),
    body,
  });
  return { status: answer.status, data: JSON.parse(answer.body) as unknown };
}

describe('the demo Moodle', () => {
  it('finds users by email (without case), idnumber or username, with values[n]', () => {
    // Prepare
    const moodle = createMoodle(TOKEN);
    const ada = moodle.addUser({ email: 'Ada@Example.org', idnumber: 'E1001' });
    moodle.addUser({ email: 'grace@example.org' });

    // Act
    const byEmail = call(moodle, {
      wsfunction: 'core_user_get_users_by_field',
      field: 'email',
      'values[0]': 'ada@example.org',
    });
    const byIdnumber = call(moodle, {
      wsfunction: 'core_user_get_users_by_field',
      field: 'idnumber',
      'values[0]': 'E1001',
    });
    const byUsername = call(moodle, {
      wsfunction: 'core_user_get_users_by_field',
      field: 'username',
      'values[0]': 'ada@example.org',
    });

    // Assess
    for (const answer of [byEmail, byIdnumber, byUsername]) {
      expect(answer).toMatchObject({ status: 200, data: [{ id: ada.id, email: 'Ada@Example.org' }] });
    }
  });

  it('overrides a tracked activity to complete, and leaves an untracked one at 0 with tracking 0', () => {
    // Prepare
    const moodle = createMoodle(TOKEN);
    const { id } = moodle.addUser({ email: 'ada@example.org' });
    const override = (cmid: number) =>
      call(moodle, {
        wsfunction: 'core_completion_override_activity_completion_status',
        userid: String(id),
        cmid: String(cmid),
        newstate: '1',
      }).data;

    // Act / Assess
    expect(override(DEMO_ACTIVITIES.tracked)).toMatchObject({
      cmid: 42,
      userid: id,
      state: 1,
      tracking: 1,
      overrideby: 2,
    });
    expect(override(DEMO_ACTIVITIES.untracked)).toMatchObject({
      cmid: 43,
      state: 0,
      tracking: 0,
      timecompleted: 0,
    });
    expect(moodle.overrides().map((o) => [o.cmid, o.state])).toEqual([
      [42, 1],
      [43, 0],
    ]);
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['an unknown token', { wsfunction: 'core_user_get_users_by_field' }, 'moodle_exception', 'invalidtoken'],
    [
      'a function outside the service',
      { wsfunction: 'core_user_delete_users' },
      'webservice_access_exception',
      'accessexception',
    ],
    [
      'a missing parameter',
      { wsfunction: 'core_user_get_users_by_field' },
      'invalid_parameter_exception',
      'invalidparameter',
    ],
    [
      'an unknown activity',
      {
        wsfunction: 'core_completion_override_activity_completion_status',
        userid: '3',
        cmid: '999',
        newstate: '1',
      },
      'dml_missing_record_exception',
      'invalidrecord',
    ],
  ])('answers %s with HTTP 200 and Moodle’s exception body', (what, params, exceptionClass, errorcode) => {
    // Prepare
    const moodle = createMoodle(TOKEN);
    moodle.addUser({ email: 'ada@example.org' });

    // Act
    const answer = call(moodle, params, what === 'an unknown token' ? 'wrong' : TOKEN);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({ exception: exceptionClass, errorcode, message: expect.any(String) });
  });

  it('answers invalidtoken to every call while its token is deleted', () => {
    // Prepare
    const moodle = createMoodle(TOKEN);
    moodle.admin.revoke(true);

    // Act
    const answer = call(moodle, {
      wsfunction: 'core_user_get_users_by_field',
      field: 'email',
      'values[0]': 'a@b.c',
    });

    // Assess
    expect(answer.data).toMatchObject({ errorcode: 'invalidtoken' });
  });
});
