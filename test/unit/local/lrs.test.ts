// The demo LRS: Basic auth, the version header, statements validated per xAPI 1.0.3, one statement per id.
import { describe, expect, it } from 'vitest';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { completionStatement } from '#shared/core/destinations/xapi.ts';
import { createLrs } from '../../../local/lrs.ts';
import { anEvidence, aPolicy, aStarter } from '../../support/fakes.ts';

const credentials = { username: 'key', password: 'secret' };
const auth = `Basic ${btoa('key:secret')}`;
const id = statementIdFor('ev_1');
const statement = () =>
  completionStatement(
    { accountHomePage: 'https://hr.example.org/', actor: 'account', activityBase: 'urn:attest:policies/' },
    id,
    aStarter(),
    anEvidence(aPolicy()),
  );

function put(lrs: ReturnType<typeof createLrs>, body: unknown, overrides: Record<string, unknown> = {}) {
  return lrs.handle({
    method: 'PUT',
    path: 'statements',
    query: new URLSearchParams({ statementId: id }),
    authorization: auth,
    version: '1.0.3',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...overrides,
  });
}

describe('the demo LRS', () => {
  it('stores a valid statement once: the same again is 204, another under its id is 409', () => {
    // Prepare
    const lrs = createLrs(credentials);

    // Act
    const first = put(lrs, statement());
    const again = put(lrs, statement());
    const other = put(lrs, { ...statement(), result: { completion: false } });

    // Assess
    expect([first.status, again.status, other.status]).toEqual([204, 204, 409]);
    expect(lrs.statements()).toHaveLength(1);
    expect(lrs.statements()[0]).toMatchObject({ attempts: 3, statement: { id, version: '1.0.3' } });
  });

  it('answers GET by statementId with the stored statement', () => {
    // Prepare
    const lrs = createLrs(credentials);
    put(lrs, statement());

    // Act
    const found = lrs.handle({
      method: 'GET',
      path: 'statements',
      query: new URLSearchParams({ statementId: id }),
      authorization: auth,
      version: '1.0.3',
      body: '',
    });

    // Assess
    expect(found.status).toBe(200);
    expect(JSON.parse(found.body as string)).toMatchObject({ id, verb: statement().verb });
  });

  it.each([
    ['no credentials', { authorization: undefined }, 401],
    ['the wrong password', { authorization: `Basic ${btoa('key:wrong')}` }, 401],
    ['no version header', { version: undefined }, 400],
    ['version 2.0', { version: '2.0.0' }, 400],
    ['a statementId that is no UUID', { query: new URLSearchParams({ statementId: 'st_1' }) }, 400],
    ['POST', { method: 'POST' }, 405],
  ])('refuses %s, storing nothing', (_, overrides, status) => {
    // Prepare
    const lrs = createLrs(credentials);

    // Act
    const answer = put(lrs, statement(), overrides);

    // Assess
    expect(answer.status).toBe(status);
    expect(lrs.statements()).toEqual([]);
  });

  it.each([
    ['a body that is no JSON', () => '{'],
    [
      'an actor with two identifiers',
      () => ({
        ...statement(),
        actor: { mbox: 'mailto:a@b.org', account: { homePage: 'https://hr.example.org/', name: 'E1' } },
      }),
    ],
    ['a verb id that is no IRI', () => ({ ...statement(), verb: { id: 'completed' } })],
    ['a property the LRS sets', () => ({ ...statement(), stored: '2026-11-24T10:00:00Z' })],
    ['an id other than the statementId', () => ({ ...statement(), id: statementIdFor('ev_2') })],
  ])('refuses %s with 400 saying why, storing nothing', (_, body) => {
    // Prepare
    const lrs = createLrs(credentials);

    // Act
    const answer = put(lrs, body());

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toBeTruthy();
    expect(lrs.statements()).toEqual([]);
  });

  it('answers GET about without credentials, naming its version', () => {
    // Act
    const about = createLrs(credentials).handle({
      method: 'GET',
      path: 'about',
      query: new URLSearchParams(),
      authorization: undefined,
      version: undefined,
      body: '',
    });

    // Assess
    expect(JSON.parse(about.body as string)).toEqual({ version: ['1.0.3'] });
  });
});
