// The SCIM service provider: Okta's and Entra ID's request sequences as their documentation gives them, each write becoming the starter event it means, and bad requests changing nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AudienceRules, NO_AUDIENCE_RULES } from '#shared/core/audience.ts';
import { parseAudienceRules } from '#shared/core/audience-file.ts';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { makeIngestStarterEvent, policyCatalogue } from '#shared/core/ingest.ts';
import { makeScimService, SCIM_SOURCE, type ScimRequest } from '#shared/core/scim/service.ts';
import { ATTEST_USER, ENTERPRISE_USER, PATCH_OP } from '#shared/core/scim/user-schema.ts';
import { starterEventSchema } from '#shared/core/starter-event.ts';
import {
  aPolicy,
  FakeClock,
  FakeMetrics,
  FakeQueue,
  FakeStore,
  RETENTION,
  silentLogger,
} from '../../../support/fakes.ts';

const BASE = 'https://attest.example/scim/v2';
const safe = aPolicy();
// biome-ignore lint/suspicious/noExplicitAny: SCIM documents are read by path in the assertions.
type Json = Record<string, any>;

const privacy = aPolicy({ policyId: 'data-protection', title: 'Data protection' });

function setup(audience: AudienceRules = NO_AUDIENCE_RULES) {
  const store = new FakeStore();
  store.policies.set(`${safe.policyId}#${safe.version}`, safe);
  store.policies.set(`${privacy.policyId}#${privacy.version}`, privacy);
  const queue = new FakeQueue();
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const schema = starterEventSchema(new Set([safe.policyId, privacy.policyId]));
  const ingest = makeIngestStarterEvent({
    store,
    mailQueue: queue,
    clock,
    logger: silentLogger,
    metrics: new FakeMetrics(),
    policies: policyCatalogue(
      new Map([
        [safe.policyId, safe],
        [privacy.policyId, privacy],
      ]),
    ),
    defaultPolicies: [safe.policyId],
    audience,
    redriveAfterMs: 60_000,
    retention: RETENTION,
    source: SCIM_SOURCE,
  });
  let next = 0;
  const service = makeScimService({
    store,
    ingest,
    schema,
    clock,
    logger: silentLogger,
    newId: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`,
    timeZone: 'Europe/London',
  });
  const call = (method: string, path: string, body?: unknown, headers: { ifMatch?: string } = {}) => {
    const [pathname, search = ''] = path.split('?');
    const request: ScimRequest = {
      method,
      path: pathname as string,
      query: new URLSearchParams(search),
      body,
      ...headers,
    };
    return service.handle(request, BASE) as Promise<{
      status: number;
      body: Json;
      etag?: string;
      location?: string;
    }>;
  };
  return { store, queue, clock, call };
}

/** Okta's create, as its SCIM 2.0 reference gives it, with the enterprise and attest attributes mapped. */
const oktaUser = (overrides: Json = {}): Json => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER, ATTEST_USER],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en_US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
  [ENTERPRISE_USER]: { employeeNumber: 'E1001', department: "Children's Services" },
  [ATTEST_USER]: { startDate: '2026-12-07' },
  ...overrides,
});

/** Entra ID's create, as its SCIM tutorial gives it (no employee number: the external id is the employee id). */
const entraUser = (overrides: Json = {}): Json => ({
  schemas: [
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0User',
  ],
  externalId: 'jyoung',
  userName: 'jyoung@testuser.com',
  active: true,
  addresses: null,
  displayName: 'Joy Young',
  emails: [{ primary: true, type: 'work', value: 'Joy.Young@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Joy Young', familyName: 'Young', givenName: 'Joy' },
  roles: [],
  ...overrides,
});

const patch = (...Operations: Json[]) => ({ schemas: [PATCH_OP], Operations });

describe('SCIM: Okta', () => {
  it('answers the connection test (count=2) and a filter that matches nobody with integer ListResponses', async () => {
    // Prepare
    const { call } = setup();

    // Act
    const list = await call('GET', '/Users?startIndex=1&count=2');
    const miss = await call(
      'GET',
      '/Users?filter=userName+eq+%22nobody%40okta.local%22&startIndex=1&count=100',
    );

    // Assess
    for (const answer of [list, miss]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 0,
        startIndex: 1,
        Resources: [],
      });
      expect(Number.isInteger(answer.body.itemsPerPage)).toBe(true);
    }
  });

  it('creates a user with the enterprise extension: 201, its meta, no password, and a starter invited', async () => {
    // Prepare
    const { store, queue, call } = setup();

    // Act
    const created = await call('POST', '/Users', oktaUser());

    // Assess
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      schemas: expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER]),
      userName: 'test.user@okta.local',
      active: true,
      meta: {
        resourceType: 'User',
        created: '2026-11-24T10:00:00.000Z',
        lastModified: '2026-11-24T10:00:00.000Z',
        location: `${BASE}/Users/${id}`,
        version: 'W/"1"',
      },
      [ENTERPRISE_USER]: { employeeNumber: 'E1001', department: "Children's Services" },
    });
    expect(JSON.stringify(created.body)).not.toContain('password');
    expect(created.etag).toBe('W/"1"');
    expect(created.location).toBe(`${BASE}/Users/${id}`);
    expect(store.starters.get(starterIdFor('E1001'))).toMatchObject({
      employeeId: 'E1001',
      givenName: 'Test',
      familyName: 'User',
      email: 'test.user@okta.local',
      startDate: '2026-12-07',
      locale: 'en-US',
      department: "Children's Services",
      status: 'active',
    });
    expect(queue.sent.map((s) => s.message.kind)).toEqual(['invite']);
    expect(JSON.stringify([...store.scimUsers.values()])).not.toContain('1mz050nq');
  });

  it('reads the user back, finds it by a user name in capitals, and refuses the same create again (409)', async () => {
    // Prepare
    const { call } = setup();
    const { body } = await call('POST', '/Users', oktaUser());

    // Act
    const read = await call('GET', `/Users/${body.id}`);
    const found = await call('GET', '/Users?filter=userName eq "TEST.USER@OKTA.LOCAL"');
    const again = await call('POST', '/Users', oktaUser());

    // Assess
    expect(read).toMatchObject({
      status: 200,
      etag: 'W/"1"',
      body: { id: body.id, name: { givenName: 'Test' } },
    });
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(body.id);
    expect(again).toMatchObject({
      status: 409,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '409',
        scimType: 'uniqueness',
      },
    });
  });

  it('deactivates with a PATCH without a path: the starter is cancelled and no reminder is owed', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', oktaUser());

    // Act
    const answer = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'replace', value: { active: false } }),
    );

    // Assess
    expect(answer).toMatchObject({ status: 200, etag: 'W/"2"', body: { active: false } });
    expect(store.starters.get(starterIdFor('E1001'))?.status).toBe('cancelled');
    const ask = store.assignments.get(assignmentIdFor('E1001', safe.policyId));
    expect(ask?.status).toBe('cancelled');
    expect(ask?.dueAt).toBeUndefined();
  });

  it('deactivates and reactivates through a GET then a whole PUT, as its wizard-built apps do', async () => {
    // Prepare
    const { store, queue, call } = setup();
    const { body } = await call('POST', '/Users', oktaUser());
    const read = (await call('GET', `/Users/${body.id}`)).body;

    // Act
    const off = await call('PUT', `/Users/${body.id}`, { ...read, active: false, password: 'x' });
    const on = await call('PUT', `/Users/${body.id}`, { ...read, active: true });

    // Assess
    expect(off.status).toBe(200);
    expect(on).toMatchObject({ status: 200, body: { active: true, meta: { version: 'W/"3"' } } });
    expect(store.starters.get(starterIdFor('E1001'))?.status).toBe('active');
    const ask = store.assignments.get(assignmentIdFor('E1001', safe.policyId));
    expect(ask).toMatchObject({ status: 'pending', dueKind: 'invite' });
    // Invited again (ingest's hint for a reopened ask; the mailer's lease sends it once).
    expect(queue.sent.slice(1).map((s) => s.message)).toContainEqual(
      expect.objectContaining({ assignmentId: ask?.assignmentId, kind: 'invite' }),
    );
  });
});

describe('SCIM: Entra ID', () => {
  it('creates from its tutorial body: nulls, a misspelt schema and the external id as the employee id', async () => {
    // Prepare
    const { store, call } = setup();

    // Act
    const created = await call('POST', '/Users', entraUser());
    const byExternalId = await call('GET', '/Users?filter=externalId eq "jyoung"');
    const byWorkEmail = await call(
      'GET',
      '/Users?filter=emails[type eq "work"].value eq "joy.young@testuser.com"',
    );
    const byEmail = await call('GET', '/Users?filter=emails.value eq "JOY.YOUNG@testuser.com"');
    const both = await call(
      'GET',
      '/Users?filter=userName eq "jyoung@testuser.com" and externalId eq "jyoung"',
    );
    const wrongCase = await call('GET', '/Users?filter=externalId eq "JYOUNG"');

    // Assess
    expect(created.status).toBe(201);
    expect(store.starters.get(starterIdFor('jyoung'))).toMatchObject({
      email: 'Joy.Young@testuser.com',
      startDate: '2026-11-24',
      locale: 'en-GB',
    });
    for (const answer of [byExternalId, byWorkEmail, byEmail, both]) expect(answer.body.totalResults).toBe(1);
    expect(wrongCase.body.totalResults).toBe(0);
  });

  it('takes capitalised ops and string booleans: "Replace" active "False" cancels, "True" brings them back', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', entraUser());

    // Act
    const off = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Replace', path: 'active', value: 'False' }),
    );
    const cancelled = store.starters.get(starterIdFor('jyoung'))?.status;
    const on = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Replace', path: 'active', value: 'True' }),
    );

    // Assess
    expect(off).toMatchObject({ status: 200, body: { active: false } });
    expect(cancelled).toBe('cancelled');
    expect(on).toMatchObject({ status: 200, body: { active: true } });
    expect(store.starters.get(starterIdFor('jyoung'))?.status).toBe('active');
  });

  it('changes the work email by a value-path PATCH, as starter.updated does', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', entraUser());

    // Act
    const answer = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'joy@new.example' }),
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(store.starters.get(starterIdFor('jyoung'))?.email).toBe('joy@new.example');
    const found = await call('GET', '/Users?filter=emails[type eq "work"].value eq "joy@new.example"');
    expect(found.body.totalResults).toBe(1);
    expect(
      (await call('GET', '/Users?filter=emails.value eq "joy.young@testuser.com"')).body.totalResults,
    ).toBe(0);
  });

  it('adds a first work address by an "Add" to a value path nothing matches yet, and replaces it after', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call(
      'POST',
      '/Users',
      entraUser({ emails: [{ type: 'home', value: 'joy@home.example' }] }),
    );

    // Act
    const added = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'joy@work.example' }),
    );
    const again = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'joy@new.example' }),
    );

    // Assess
    expect(added.status).toBe(200);
    expect(again.body.emails).toEqual([
      { type: 'home', value: 'joy@home.example' },
      { type: 'work', value: 'joy@new.example' },
    ]);
    expect(store.starters.get(starterIdFor('jyoung'))?.email).toBe('joy@new.example');
  });

  it("looks up the manager another user is, from the manager PATCH's bare id; a missing manager is allowed", async () => {
    // Prepare
    const { store, call } = setup();
    const boss = await call(
      'POST',
      '/Users',
      entraUser({
        externalId: 'gboss',
        userName: 'gboss@testuser.com',
        displayName: 'Grace Boss',
        emails: [{ type: 'work', value: 'grace@testuser.com' }],
      }),
    );
    const { body } = await call('POST', '/Users', entraUser());

    // Act
    const unknown = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Add', path: `${ENTERPRISE_USER}:manager`, value: 'no-such-user' }),
    );
    const withoutManager = store.starters.get(starterIdFor('jyoung'))?.manager;
    const answer = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'Replace', path: `${ENTERPRISE_USER}:manager`, value: boss.body.id }),
    );

    // Assess
    expect(unknown.status).toBe(200);
    expect(withoutManager).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(store.starters.get(starterIdFor('jyoung'))?.manager).toEqual({
      name: 'Grace Boss',
      email: 'grace@testuser.com',
    });
  });

  it('deletes: 204, the starter cancelled, the user gone (404 with an error document)', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', entraUser());

    // Act
    const deleted = await call('DELETE', `/Users/${body.id}`);
    const after = await call('GET', `/Users/${body.id}`);

    // Assess
    expect(deleted.status).toBe(204);
    expect(store.starters.get(starterIdFor('jyoung'))?.status).toBe('cancelled');
    expect(after).toMatchObject({
      status: 404,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' },
    });
    expect(after.body.detail).toBeTruthy();
  });
});

describe('SCIM: a user as a starter', () => {
  it('maps the core, enterprise and attest attributes onto the starter, with the defaults where none is usable', async () => {
    // Prepare
    const { store, call } = setup();

    // Act
    await call(
      'POST',
      '/Users',
      oktaUser({
        locale: 'not a locale',
        timezone: 'Mars/Olympus',
        title: 'Social worker',
        userType: 'Contractor',
        addresses: [{ type: 'work', locality: 'Birkenhead' }],
        [ENTERPRISE_USER]: { employeeNumber: ' E77 ', organization: 'Wirral', division: 'Children' },
        // Entra's employeeHireDate is a date-time: its date is the start date.
        [ATTEST_USER]: { startDate: '2027-01-04T08:00:00Z' },
      }),
    );

    // Assess
    expect(store.starters.get(starterIdFor('E77'))).toMatchObject({
      employeeId: 'E77',
      startDate: '2027-01-04',
      locale: 'en-GB',
      timeZone: 'Europe/London',
    });
  });

  it('reads an extension that the schemas list leaves out, and a manager given as a bare id inside it', async () => {
    // Prepare
    const { store, call } = setup();
    const boss = await call(
      'POST',
      '/Users',
      entraUser({
        externalId: 'boss',
        userName: 'boss@t.example',
        displayName: 'B Oss',
        emails: [{ type: 'work', value: 'boss@t.example' }],
      }),
    );

    // Act
    await call(
      'POST',
      '/Users',
      entraUser({
        [ENTERPRISE_USER]: { employeeNumber: 'E9', manager: boss.body.id },
        [ATTEST_USER]: { startDate: '2027-02-01' },
      }),
    );

    // Assess
    expect(store.starters.get(starterIdFor('E9'))).toMatchObject({
      startDate: '2027-02-01',
      manager: { name: 'B Oss', email: 'boss@t.example' },
    });
  });

  it("finds a manager named by the identity provider's own id (Okta's managerId) or employee number", async () => {
    // Prepare
    const { store, call } = setup();
    await call(
      'POST',
      '/Users',
      oktaUser({
        userName: 'mgr@okta.local',
        externalId: '00u-manager',
        displayName: 'Mia Manager',
        emails: [{ type: 'work', value: 'mia@okta.local' }],
        [ENTERPRISE_USER]: { employeeNumber: 'M1' },
      }),
    );

    // Act
    await call(
      'POST',
      '/Users',
      oktaUser({
        userName: 'a@okta.local',
        externalId: 'x-a',
        [ENTERPRISE_USER]: { employeeNumber: 'E-A', manager: { value: '00u-manager' } },
      }),
    );
    await call(
      'POST',
      '/Users',
      oktaUser({
        userName: 'b@okta.local',
        externalId: 'x-b',
        [ENTERPRISE_USER]: { employeeNumber: 'E-B', manager: { value: 'M1' } },
      }),
    );

    // Assess
    for (const id of ['E-A', 'E-B']) {
      expect(store.starters.get(starterIdFor(id))?.manager).toEqual({
        name: 'Mia Manager',
        email: 'mia@okta.local',
      });
    }
  });

  it("asks what the audience rules say for the user's enterprise and core attributes", async () => {
    // Prepare
    const rules = parseAudienceRules(
      'rules:\n  - name: social workers\n    when: { division: Children, jobTitle: Social worker }\n    policies: [data-protection]\n',
      new Set([safe.policyId, privacy.policyId]),
    );
    const { store, call } = setup(rules);

    // Act
    await call(
      'POST',
      '/Users',
      oktaUser({ title: 'Social Worker', [ENTERPRISE_USER]: { employeeNumber: 'E5', division: 'children' } }),
    );
    await call(
      'POST',
      '/Users',
      oktaUser({
        userName: 'o@okta.local',
        title: 'Driver',
        [ENTERPRISE_USER]: { employeeNumber: 'E6', division: 'Children' },
      }),
    );

    // Assess
    expect(store.starters.get(starterIdFor('E5'))).toMatchObject({
      policies: [safe.policyId, privacy.policyId],
      jobTitle: 'Social Worker',
      division: 'children',
      matchedRules: ['social workers'],
    });
    expect(store.starters.get(starterIdFor('E6'))?.policies).toEqual([safe.policyId]);
  });

  it('keeps the employee id and start date a user was first given', async () => {
    // Prepare
    const { store, clock, call } = setup();
    const { body } = await call('POST', '/Users', entraUser());
    clock.advance(3 * 24 * 3600_000);

    // Act
    const answer = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'add', path: `${ENTERPRISE_USER}:employeeNumber`, value: 'E-LATER' }),
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(store.starters.get(starterIdFor('E-LATER'))).toBeUndefined();
    expect(store.starters.get(starterIdFor('jyoung'))?.startDate).toBe('2026-11-24');
  });

  it('pages a list with startIndex and count, in a stable order, cutting count to 200', async () => {
    // Prepare
    const { call } = setup();
    for (const n of [1, 2, 3]) {
      await call(
        'POST',
        '/Users',
        oktaUser({
          userName: `u${n}@okta.local`,
          externalId: `x${n}`,
          [ENTERPRISE_USER]: { employeeNumber: `E${n}` },
        }),
      );
    }

    // Act
    const first = await call('GET', '/Users?startIndex=1&count=2');
    const second = await call('GET', '/Users?startIndex=3&count=2');
    const huge = await call('GET', '/Users?count=100000&startIndex=0');
    const bad = await call('GET', '/Users?count=two');
    const noValue = await call('GET', '/Users?filter=userName eq');
    const nonsense = await call('GET', '/Users?filter=userName xx "a"');
    const active = await call('GET', '/Users?filter=active eq true');

    // Assess
    expect(first.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    expect(second.body).toMatchObject({ totalResults: 3, startIndex: 3 });
    const ids = [...first.body.Resources, ...second.body.Resources].map((r: Json) => r.id);
    expect(new Set(ids).size).toBe(3);
    expect(huge.body).toMatchObject({ startIndex: 1, itemsPerPage: 200 });
    expect(bad).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect(noValue).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
    expect(nonsense).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
    expect(active.body.totalResults).toBe(3);
  });
});

describe('SCIM: refused requests change nothing', () => {
  const refusals: Array<[string, Json, string]> = [
    ['no given name', oktaUser({ name: { familyName: 'User' } }), 'name.givenName'],
    [
      'a line break in a name',
      oktaUser({ name: { givenName: 'Te\r\nst', familyName: 'User' } }),
      'name.givenName',
    ],
    ['a direction override in the title', oktaUser({ title: 'Head\u202E' }), 'title'],
    ['no address', oktaUser({ userName: 'tuser', emails: [] }), 'emails'],
    ['a start date that is not one', oktaUser({ [ATTEST_USER]: { startDate: '2026-02-30' } }), 'startDate'],
    ['no user name', oktaUser({ userName: undefined }), 'userName'],
  ];
  it.each(refusals)('%s: 400 invalidValue naming the attribute', async (_name, body, attribute) => {
    // Prepare
    const { store, queue, call } = setup();

    // Act
    const answer = await call('POST', '/Users', body);

    // Assess
    expect(answer).toMatchObject({ status: 400, body: { status: '400', scimType: 'invalidValue' } });
    expect(answer.body.detail).toContain(attribute);
    expect(store.writes).toEqual([]);
    expect(queue.sent).toEqual([]);
  });

  it('refuses a write whose If-Match is not the stored version (412), and applies one that is', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', oktaUser());
    const writes = store.writes.length;

    // Act
    const stale = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'replace', path: 'title', value: 'Nurse' }),
      {
        ifMatch: 'W/"7"',
      },
    );
    const current = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'replace', path: 'title', value: 'Nurse' }),
      {
        ifMatch: 'W/"1"',
      },
    );

    // Assess
    expect(stale.status).toBe(412);
    expect(current).toMatchObject({ status: 200, body: { title: 'Nurse', meta: { version: 'W/"2"' } } });
    expect(store.writes.slice(writes)).toContain('putScimUser');
  });

  it('writes nothing for a user sent again whose stored attributes came back in another order', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', oktaUser());
    const stored = store.scimUsers.get(body.id as string);
    if (stored) stored.resource = Object.fromEntries(Object.entries(stored.resource).reverse());
    const writes = store.writes.length;

    // Act
    const answer = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'replace', value: { active: true } }),
    );

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { meta: { version: 'W/"1"' } } });
    expect(store.writes.length).toBe(writes);
  });

  it('answers a PATCH that changes nothing with the user, writing nothing', async () => {
    // Prepare
    const { store, call } = setup();
    const { body } = await call('POST', '/Users', oktaUser());
    const writes = store.writes.length;

    // Act
    const answer = await call(
      'PATCH',
      `/Users/${body.id}`,
      patch({ op: 'replace', value: { active: true } }),
    );

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { id: body.id, meta: { version: 'W/"1"' } } });
    expect(store.writes.length).toBe(writes);
  });
});

describe('SCIM: discovery', () => {
  it('says what it supports, lists the user schemas and one resource type, and keeps no groups', async () => {
    // Prepare
    const { call } = setup();

    // Act
    const config = await call('GET', '/ServiceProviderConfig');
    const schemas = await call('GET', '/Schemas');
    const types = await call('GET', '/ResourceTypes');
    const groups = await call('GET', '/Groups?startIndex=1&count=100');
    const newGroup = await call('POST', '/Groups', { displayName: 'Staff' });

    // Assess
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 200 },
      etag: { supported: true },
      bulk: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    expect(schemas.body.Resources.map((s: Json) => s.id)).toEqual(
      expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER, ATTEST_USER]),
    );
    expect(types.body.Resources.map((t: Json) => t.name)).toEqual(['User']);
    expect(groups).toMatchObject({ status: 200, body: { totalResults: 0, Resources: [] } });
    expect(newGroup).toMatchObject({ status: 501, body: { status: '501' } });
  });
});

describe('SCIM: any PATCH document', () => {
  it('leaves the starter as the stored user says, or changes nothing and answers 400', async () => {
    const op = fc.oneof(
      fc.record({
        op: fc.constantFrom('replace', 'Replace', 'add', 'Add'),
        path: fc.constant('active'),
        value: fc.constantFrom(true, false, 'True', 'False', 'true', 'false'),
      }),
      fc.record({ op: fc.constantFrom('replace', 'Replace'), value: fc.record({ active: fc.boolean() }) }),
      fc.record({
        op: fc.constantFrom('replace', 'Replace'),
        path: fc.constantFrom('name.givenName', 'name.familyName', 'title', 'emails[type eq "work"].value'),
        value: fc.oneof(
          fc.constantFrom('Ann', 'Zoë', 'x@y.example', 'a\nb', '', 'Bob\u200F'),
          fc.string({ maxLength: 8 }),
        ),
      }),
      fc.record({
        op: fc.constantFrom('remove', 'Remove'),
        path: fc.constantFrom('title', 'name.givenName'),
      }),
    );
    return fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 4 }), async (operations) => {
        const { store, call } = setup();
        const { body } = await call('POST', '/Users', oktaUser());
        const before = JSON.stringify([...store.scimUsers.values()]);
        const starterBefore = JSON.stringify(store.starters.get(starterIdFor('E1001')));

        const answer = await call('PATCH', `/Users/${body.id}`, patch(...operations));

        const user = store.scimUsers.get(body.id) as { resource: Json };
        const starter = store.starters.get(starterIdFor('E1001'));
        if (answer.status === 200) {
          expect(starter?.status).toBe(user.resource.active === false ? 'cancelled' : 'active');
          if (user.resource.active !== false) {
            expect(starter?.givenName).toBe(user.resource.name.givenName.trim());
            expect(starter?.email).toBe(user.resource.emails[0].value);
          }
        } else {
          expect(answer.status).toBe(400);
          expect(JSON.stringify([...store.scimUsers.values()])).toBe(before);
          expect(JSON.stringify(starter)).toBe(starterBefore);
        }
      }),
      { seed: 20261201, numRuns: 150 },
    );
  });
});

describe('SCIM: names that are no attribute of a user (what objects inherit among them)', () => {
  /**
   * What Object.prototype and its methods have gained (and lose again here): nothing, unless a
   * request polluted them.
   */
  const pollution = () => {
    const found: string[] = [];
    for (const key of Object.keys(Object.prototype)) {
      found.push(key);
      delete (Object.prototype as Json)[key];
    }
    for (const prototype of [Object.prototype, Array.prototype] as Json[]) {
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = prototype[name];
        if (typeof method !== 'function') continue;
        for (const key of Object.keys(method)) {
          found.push(`${name}.${key}`);
          delete method[key];
        }
      }
    }
    return found;
  };
  const requests: Array<[string, string, string, Json | undefined, string]> = [
    ['a filter', 'GET', '/Users?filter=__proto__.polluted eq "x"', undefined, 'invalidFilter'],
    [
      'a filter inside brackets',
      'GET',
      '/Users?filter=emails[__proto__.polluted eq "x"]',
      undefined,
      'invalidFilter',
    ],
    [
      'a filter through constructor',
      'GET',
      '/Users?filter=Constructor.prototype.polluted eq "x"',
      undefined,
      'invalidFilter',
    ],
    [
      'a filter after a backslash-quoted value',
      'GET',
      `/Users?${new URLSearchParams({ filter: 'userName eq "a\\" or __proto__.polluted eq "x"' })}`,
      undefined,
      'invalidFilter',
    ],
    [
      'a filter through an inherited method',
      'GET',
      '/Users?filter=HasOwnProperty.call eq "x"',
      undefined,
      'invalidFilter',
    ],
    ['a filter through toString', 'GET', '/Users?filter=name.toString.x pr', undefined, 'invalidFilter'],
    [
      'a filter through an array’s method',
      'GET',
      '/Users?filter=userName eq "a" and userName.push.call eq "b"',
      undefined,
      'invalidFilter',
    ],
    [
      'a filter setting an array’s length',
      'GET',
      '/Users?filter=userName eq "a" and userName.length eq "b"',
      undefined,
      'invalidFilter',
    ],
    [
      'a filter on no attribute of a user',
      'GET',
      '/Users?filter=shoeSize eq "9"',
      undefined,
      'invalidFilter',
    ],
    ['attributes', 'GET', '/Users?attributes=__proto__.polluted', undefined, 'invalidValue'],
    [
      'excludedAttributes',
      'GET',
      '/Users?excludedAttributes=name.__proto__.polluted',
      undefined,
      'invalidValue',
    ],
    [
      'a PATCH value path',
      'PATCH',
      '/Users/{id}',
      patch({ op: 'replace', path: 'emails[__proto__.polluted eq "x"].value', value: 'q@example.org' }),
      'invalidPath',
    ],
    [
      'a PATCH remove path',
      'PATCH',
      '/Users/{id}',
      patch({ op: 'remove', path: 'emails[__proto__.polluted eq "x"]' }),
      'invalidPath',
    ],
  ];
  it.each(requests)(
    '%s is refused (400) and pollutes nothing',
    async (_name, method, path, body, scimType) => {
      // Prepare
      const { store, queue, call } = setup();
      const { body: user } = await call('POST', '/Users', oktaUser());
      const before = JSON.stringify([...store.scimUsers.values()]);
      const sent = queue.sent.length;

      // Act
      const answer = await call(method, path.replace('{id}', user.id), body);

      // Assess
      expect(pollution()).toEqual([]);
      expect(answer).toMatchObject({ status: 400, body: { status: '400', scimType } });
      expect(JSON.stringify([...store.scimUsers.values()])).toBe(before);
      expect(queue.sent.length).toBe(sent);
    },
  );

  it.each([
    ['an empty attribute list', '/Users?attributes=,'],
    ['a filter of a bare attribute in brackets', '/Users?filter=emails[value]'],
    ['a bare not', '/Users?filter=not'],
  ])('answers %s with 400 in its own words, not the engine’s', async (_name, path) => {
    // Prepare
    const { call } = setup();

    // Act
    const answer = await call('GET', path);

    // Assess
    expect(answer).toMatchObject({ status: 400, body: { status: '400' } });
    expect(answer.body.detail).not.toMatch(/Cannot read|undefined|is not a function/);
  });

  it('takes a schema’s URN before a name, and the attributes of a user in a list', async () => {
    // Prepare
    const { call } = setup();
    await call('POST', '/Users', oktaUser());
    const byNumber = new URLSearchParams({ filter: `${ENTERPRISE_USER}:employeeNumber eq "E1001"` });
    const byName = new URLSearchParams({
      filter: 'userName eq "test.user@okta.local" and meta.lastModified gt "2026-01-01T00:00:00Z"',
      attributes: 'userName,name.givenName',
    });

    // Act
    const numbered = await call('GET', `/Users?${byNumber}`);
    const named = await call('GET', `/Users?${byName}`);

    // Assess
    expect(numbered.status).toBe(200);
    expect(named).toMatchObject({ status: 200, body: { totalResults: 1 } });
    expect(named.body.Resources[0]).toMatchObject({
      userName: 'test.user@okta.local',
      name: { givenName: 'Test' },
    });
  });

  it('still finds a user whose quoted value is such a name', async () => {
    // Prepare
    const { call } = setup();
    await call('POST', '/Users', oktaUser({ userName: 'constructor@okta.local' }));

    // Act
    const answer = await call('GET', '/Users?filter=userName eq "constructor@okta.local"');

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { totalResults: 1 } });
  });

  it('pollutes nothing whatever filter or attribute list names', async () => {
    const name = fc.oneof(
      fc.constantFrom(
        '__proto__',
        '__PROTO__',
        'constructor',
        'Constructor',
        'prototype',
        'hasOwnProperty',
        'ToString',
        'valueOf',
        'call',
        'push',
        'length',
        'userName',
        'name',
        'emails',
      ),
      fc.stringMatching(/^[A-Za-z_][\w-]{0,6}$/),
    );
    const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
    const filter = fc.oneof(
      fc
        .tuple(path, fc.constantFrom('eq', 'co', 'sw', 'pr'))
        .map(([p, op]) => (op === 'pr' ? `${p} pr` : `${p} ${op} "x"`)),
      fc.tuple(name, path).map(([outer, inner]) => `${outer}[${inner} eq "x"]`),
    );
    return fc.assert(
      fc.asyncProperty(filter, path, async (f, attributes) => {
        const { call } = setup();
        const query = new URLSearchParams({ filter: f, attributes });
        const answer = await call('GET', `/Users?${query}`);
        expect(pollution()).toEqual([]);
        expect([200, 400]).toContain(answer.status);
      }),
      { seed: 20261202, numRuns: 200 },
    );
  });
});
