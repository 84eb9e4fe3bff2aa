// SCIM on the local stack, over HTTP as Okta and Entra ID call it: a provisioned user is invited, a deactivated one is no longer chased, and what is refused is answered as RFC 7644 says.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { emailsTo, stack, table, waitFor } from '../support/local.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function scim(path: string, init: { method?: string; body?: unknown; token?: string; type?: string } = {}) {
  const s = stack();
  return fetch(`${s.urls.api}/scim/v2${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? s.env.SCIM_TOKEN}`,
      ...(init.body !== undefined && { 'content-type': init.type ?? 'application/scim+json; charset=utf-8' }),
    },
    ...(init.body !== undefined && {
      body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    }),
  });
}

function aUser() {
  const suffix = randomUUID().slice(0, 8);
  return {
    employeeId: `S-${suffix}`,
    email: `scim.${suffix}@example.org`,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: `scim.${suffix}@example.org`,
      name: { givenName: 'Sam', familyName: 'Scimson' },
      emails: [{ type: 'work', primary: true, value: `scim.${suffix}@example.org` }],
      active: true,
      [ENTERPRISE]: { employeeNumber: `S-${suffix}`, department: 'Fostering' },
    },
  };
}

describe('SCIM on the local stack', () => {
  it('invites a provisioned user, stops chasing them when deactivated, and invites them again when back', async () => {
    // Prepare
    const user = aUser();
    const ask = assignmentIdFor(user.employeeId, 'safe-internet-use');

    // Act: Okta's create
    const created = await scim('/Users', { method: 'POST', body: user.body });
    const { id } = (await created.json()) as { id: string };
    const invite = await waitFor('the invite', async () => (await emailsTo(user.email))[0]);

    // Assess
    expect(created.status).toBe(201);
    expect(invite.subject).toBeTruthy();

    // Act: Okta's deactivation (a PATCH without a path)
    const off = await scim(`/Users/${id}`, {
      method: 'PATCH',
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      },
    });
    const cancelled = await table().get(`ASSIGN#${ask}`, 'ASSIGNMENT');

    // Assess: cancelled, owing nothing (no reminder will be sent)
    expect(off.status).toBe(200);
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.dueAt).toBeUndefined();

    // Act: Entra's reactivation (capitalised op, string boolean)
    const on = await scim(`/Users/${id}`, {
      method: 'PATCH',
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
      },
    });

    // Assess
    expect(on.status).toBe(200);
    await waitFor('a second invite', async () =>
      (await emailsTo(user.email)).length >= 2 ? true : undefined,
    );
  }, 60_000);

  it('finds a user by the filters Okta and Entra send, answering integers and the SCIM media type', async () => {
    // Prepare
    const user = aUser();
    await scim('/Users', { method: 'POST', body: user.body });
    const upper = encodeURIComponent(`userName eq "${user.email.toUpperCase()}"`);
    const work = encodeURIComponent(`emails[type eq "work"].value eq "${user.email}"`);

    // Act
    const byName = await scim(`/Users?filter=${upper}&startIndex=1&count=100`);
    const byWork = await scim(`/Users?filter=${work}`);
    const miss = await scim(`/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`);

    // Assess
    expect(byName.headers.get('content-type')).toBe('application/scim+json');
    expect(await byName.json()).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 100 });
    expect(await byWork.json()).toMatchObject({ totalResults: 1 });
    expect(await miss.json()).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('writes nothing for a whole user sent again unchanged, as Okta re-sends it (the version stays)', async () => {
    // Prepare
    const user = aUser();
    const created = (await (await scim('/Users', { method: 'POST', body: user.body })).json()) as {
      id: string;
    };
    const read = (await (await scim(`/Users/${created.id}`)).json()) as Record<string, unknown>;

    // Act
    const again = await scim(`/Users/${created.id}`, { method: 'PUT', body: read });
    const changed = await scim(`/Users/${created.id}`, { method: 'PUT', body: { ...read, title: 'Nurse' } });

    // Assess
    expect(again.headers.get('etag')).toBe('W/"1"');
    expect(changed.headers.get('etag')).toBe('W/"2"');
  });

  it('answers what it refuses with SCIM error documents, storing nothing', async () => {
    // Prepare
    const user = aUser();

    // Act
    const noToken = await scim('/Users', { token: 'wrong-token-of-the-right-length-0123456789' });
    const notJson = await scim('/Users', {
      method: 'POST',
      body: 'userName=x',
      type: 'application/x-www-form-urlencoded',
    });
    const broken = await scim('/Users', { method: 'POST', body: '{"userName": ' });
    const invalid = await scim('/Users', {
      method: 'POST',
      body: { ...user.body, name: { familyName: 'Only' } },
    });
    const deep = await scim('/Users', {
      method: 'POST',
      body: JSON.stringify(user.body).replace(/}$/, `,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`),
    });
    const unknown = await scim(`/Users/${randomUUID()}`);
    const groups = await scim('/Groups', { method: 'POST', body: { displayName: 'Staff' } });
    const found = await scim(`/Users?filter=${encodeURIComponent(`userName eq "${user.email}"`)}`);

    // Assess
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
    expect(notJson.status).toBe(415);
    expect(await broken.json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect(await invalid.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(await deep.json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect(unknown.status).toBe(404);
    expect(groups.status).toBe(501);
    expect(await found.json()).toMatchObject({ totalResults: 0 });
    expect(await emailsTo(user.email)).toEqual([]);
  });

  it('refuses a filter naming what objects inherit (400), leaving later answers as they were', async () => {
    // Act: a filter that, taken, would give every object in the process a `location`
    const polluting = await scim(
      `/Users?filter=${encodeURIComponent('__proto__.location eq "https://evil.example/"')}`,
    );
    const breaking = await scim(`/Users?filter=${encodeURIComponent('hasOwnProperty.call eq "x"')}`);
    const later = await scim(`/Users/${randomUUID()}`);

    // Assess
    expect(polluting.status).toBe(400);
    expect(await polluting.json()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    expect(await breaking.json()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    expect(later.status).toBe(404);
    expect(later.headers.get('location')).toBeNull();
  });
});
