// Use case: the SCIM 2.0 service provider (RFC 7643/7644) — users an identity provider provisions become starters, through the ingest use case alone.
import { createHash } from 'node:crypto';
import SCIMMY from 'scimmy';
import type { Clock, Logger, ScimUsers } from '../../ports.ts';
import { isoDay } from '../dates.ts';
import { ErasedError, ValidationError } from '../errors.ts';
import type { IngestResult } from '../ingest.ts';
import type { Manager, ScimLookupKey, ScimUser } from '../model.ts';
import { parseStarterEvent, type StarterEvent, type starterEventSchema } from '../starter-event.ts';
import { hasUnseen } from '../visible.ts';
import { ATTRIBUTE_OF, displayNameOf, employeeIdOf, startDateOf, starterDataOf } from './starter.ts';
import {
  ATTEST_USER,
  CORE_USER,
  ENTERPRISE_USER,
  EXTENSIONS,
  extensionOf,
  lookupOf,
  normalisePatch,
  normaliseUser,
  stringOf,
  workEmail,
} from './user-schema.ts';

/** The source SCIM's starter events are kept under: receipts are per source. */
export const SCIM_SOURCE = 'scim';
/** The most users one list answers (ServiceProviderConfig's filter.maxResults); a larger count is cut to it. */
export const MAX_RESULTS = 200;
/** How often a write that lost a race with another is tried again, on the user as the other left it. */
const WRITE_ATTEMPTS = 3;

type Json = Record<string, unknown>;

export type ScimStore = ScimUsers;

export interface ScimDeps {
  store: ScimStore;
  /** The ingest use case, made with source `scim`: the only way a user reaches a starter. */
  ingest: (event: StarterEvent) => Promise<IngestResult>;
  schema: ReturnType<typeof starterEventSchema>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** A new user's id (a UUID; tests give fixed ones). */
  newId: () => string;
  /** Where a user's start date falls when its provider gives none: the day it is provisioned, here. */
  timeZone: string;
}

/** A SCIM request, as the HTTP edge reads it: the path below the base, e.g. `/Users/abc`. */
export interface ScimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
  /** The If-Match header, when sent. */
  ifMatch?: string;
}

export interface ScimResponse {
  status: number;
  body?: unknown;
  /** The user's ETag and, for a created user, where it is. */
  etag?: string;
  location?: string;
}

/** An error of RFC 7644 §3.12: its status, its scimType when it has one, and what went wrong. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

/** A write that lost a race (the stored user changed since it was read): tried again. */
class Contended extends Error {}

const etagOf = (version: number) => `W/"${version}"`;

// attest's extension: a starter's first day, which neither the core nor the enterprise schema has.
const attestSchema = new SCIMMY.Types.SchemaDefinition(
  'AttestUser',
  ATTEST_USER,
  'What attest needs of a starter beyond the core and enterprise user.',
  [
    new SCIMMY.Types.Attribute('string', 'startDate', {
      description:
        'The first day, YYYY-MM-DD (a date-time is cut to its date); the day provisioned when absent.',
    }),
  ],
);

/** The operations of one request, reached by scimmy's handlers through its context. */
interface Context {
  read(id: string): Promise<Json>;
  list(filter: Array<Record<string, unknown>> | undefined): Promise<Json[]>;
  write(id: string | undefined, instance: Json): Promise<Json>;
  remove(id: string): Promise<void>;
}

/**
 * scimmy's resources are declared once a process: its handlers call the operations of whichever
 * request is asking (its context), so one declaration serves every service.
 */
let declared = false;
function declare() {
  if (!declared) {
    declared = true;
    SCIMMY.Config.set({
      patch: true,
      filter: { supported: true, maxResults: MAX_RESULTS },
      etag: true,
      sort: false,
      bulk: false,
      changePassword: false,
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'Bearer token',
          description: 'The SCIM token attest was deployed with, as an HTTP Authorization bearer token.',
          primary: true,
        },
      ],
    });
    const user = SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false).extend(
      attestSchema as never,
      false,
    );
    SCIMMY.Resources.declare(user)
      .ingress(
        (resource, instance, ctx) =>
          (ctx as Context).write(resource.id, JSON.parse(JSON.stringify(instance)) as Json) as never,
      )
      .egress(
        (resource, ctx) =>
          (resource.id
            ? (ctx as Context).read(resource.id)
            : (ctx as Context).list(resource.filter ? [...resource.filter] : undefined)) as never,
      )
      .degress((resource, ctx) => (ctx as Context).remove(resource.id as string));
  }
}

/**
 * Where the service is, for each resource's `meta.location`: scimmy keeps it per process, so it is
 * set as each request begins (a process serves one base URL, the API's; Lambda one request at a time).
 */
function locate(basepath: string) {
  SCIMMY.Resources.User.basepath(basepath);
  SCIMMY.Resources.Schema.basepath(basepath);
  SCIMMY.Resources.ResourceType.basepath(basepath);
  SCIMMY.Resources.ServiceProviderConfig.basepath(basepath);
}

/**
 * What a TypeError from scimmy tells the provider: scimmy's own words say what is wrong (`Missing
 * closing ']'`); the engine's (`Cannot read properties of undefined`) say only where scimmy
 * stumbled, and are answered in general words instead.
 */
function scimmyWords(error: TypeError): string {
  return /^Cannot |is not (a function|iterable|defined)/.test(error.message)
    ? 'The filter or attribute list could not be read (RFC 7644 §3.4.2).'
    : error.message;
}

/** The words of a filter that are not attribute names (RFC 7644 §3.4.2.2), in lower case. */
const FILTER_WORDS = ['and', 'or', 'not', 'eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le'];
const LITERALS = ['true', 'false', 'null'];
let attributeNames: Set<string> | undefined;

/**
 * Every name a filter, attribute list or PATCH path may hold, in lower case (attribute names are
 * case-blind): the core, enterprise and attest schemas' attributes at any depth, and the filter's
 * own words. None is a property that objects, arrays or functions inherit but `name`, which only a
 * function has, and no other name here reaches one.
 */
function knownNames(): Set<string> {
  if (!attributeNames) {
    const names = new Set([...FILTER_WORDS, ...LITERALS]);
    type Described = { name: string; subAttributes?: Described[] };
    const add = (attributes: readonly Described[] | undefined) => {
      for (const attribute of attributes ?? []) {
        names.add(attribute.name.toLowerCase());
        add(attribute.subAttributes);
      }
    };
    for (const schema of [
      SCIMMY.Schemas.User.definition,
      SCIMMY.Schemas.EnterpriseUser.definition,
      attestSchema,
    ])
      add((schema as unknown as { attributes: Described[] }).attributes);
    attributeNames = names;
  }
  return attributeNames;
}

/**
 * The first name in a filter, attribute list or path, outside its quoted values and schema URNs,
 * that is no attribute of a user (a number is not a name); undefined when every one is.
 */
function unknownName(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  // A backslash does not escape a quote here, as it does not in scimmy: what is taken for a value is never longer.
  let names = text.replace(/"[^"]*"/g, ' ');
  for (const urn of [CORE_USER, ...EXTENSIONS]) {
    names = names.replace(new RegExp(`${urn.replace(/[.]/g, '\\.')}:?`, 'gi'), ' ');
  }
  const known = knownNames();
  return names
    .split(/[^\w$-]+/)
    .find((name) => name !== '' && !/^-?\d+$/.test(name) && !known.has(name.toLowerCase()));
}

/** The attributes compared case-exactly (RFC 7643 §4.1: `id` and `externalId`); all else ignores case. */
const CASE_EXACT = new Set(['id', 'externalid']);

/** A copy of a filter expression (scimmy's parsed form) with the values of case-blind attributes lower-cased. */
function foldFilter(node: unknown, attribute = ''): unknown {
  if (Array.isArray(node)) {
    // [operator, value]: the comparison itself.
    if (typeof node[0] === 'string' && node.length <= 2) {
      const [op, value] = node;
      const last = attribute.split(/[.:]/).pop()?.toLowerCase() ?? '';
      return typeof value === 'string' && !CASE_EXACT.has(last) ? [op, value.toLowerCase()] : [op, value];
    }
    return node.map((child) => foldFilter(child, attribute));
  }
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, foldFilter(v, k)]));
  }
  return node;
}

/** A copy of a resource with every string of a case-blind attribute lower-cased, to match a folded filter against. */
function foldResource(node: unknown, attribute = ''): unknown {
  if (Array.isArray(node)) return node.map((child) => foldResource(child, attribute));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, foldResource(v, k)]));
  }
  return typeof node === 'string' && !CASE_EXACT.has(attribute.toLowerCase()) ? node.toLowerCase() : node;
}

/**
 * The lookup that finds every user a filter can match, when it can be read from one: a filter of
 * one branch (no `or`) comparing, with `eq`, the user name, external id or an email.
 */
function lookupFor(filter: Array<Record<string, unknown>>): [ScimLookupKey, string] | undefined {
  if (filter.length !== 1) return undefined;
  for (const [name, test] of Object.entries(filter[0] as Json)) {
    const attribute = name.toLowerCase().replace(`${CORE_USER.toLowerCase()}:`, '');
    const eq = (t: unknown) =>
      Array.isArray(t) && t[0] === 'eq' && typeof t[1] === 'string' ? t[1] : undefined;
    if (attribute === 'username' && eq(test) !== undefined)
      return ['userName', (eq(test) as string).toLowerCase()];
    if (attribute === 'externalid' && eq(test) !== undefined) return ['externalId', eq(test) as string];
    if (attribute === 'emails' && test && typeof test === 'object' && !Array.isArray(test)) {
      const value = Object.entries(test).find(([k]) => k.toLowerCase() === 'value')?.[1];
      if (eq(value) !== undefined) return ['email', (eq(value) as string).toLowerCase()];
    }
    if (attribute === 'emails.value' && eq(test) !== undefined)
      return ['email', (eq(test) as string).toLowerCase()];
  }
  return undefined;
}

/** The first string of `value` holding a control, format or unseen character, by its path; undefined when none does. */
function unseenAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return hasUnseen(value) ? path || '(value)' : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unseenAt(item, `${path}[${i}]`);
      if (found) return found;
    }
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = unseenAt(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

/** JSON with every object's keys in order: DynamoDB does not promise to keep a stored map's order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A field error of the starter schema, named as the SCIM attribute it came from. */
function attributeIssues(error: ValidationError): string {
  return error.issues
    .map((issue) => `${ATTRIBUTE_OF[issue.field] ?? issue.field.replace(/^data\./, '')}: ${issue.message}`)
    .join('; ');
}

export function makeScimService(deps: ScimDeps) {
  const { store, clock, logger } = deps;
  declare();

  const toResource = (user: ScimUser): Json => ({
    ...user.resource,
    id: user.id,
    meta: {
      resourceType: 'User',
      created: user.created,
      lastModified: user.lastModified,
      version: etagOf(user.version),
    },
  });

  /** The manager `manager.value` names: another user by id, external id, employee id or user name; none is allowed. */
  async function managerOf(resource: Json): Promise<Manager | undefined> {
    const manager = extensionOf(resource, ENTERPRISE_USER).manager as Json | undefined;
    const value = stringOf(manager?.value)?.trim();
    if (!value) return undefined;
    const found =
      (await store.getScimUser(value)) ??
      (await store.findScimUsers('externalId', value))[0] ??
      (await store.findScimUsers('employeeId', value))[0] ??
      (await store.findScimUsers('userName', value.toLowerCase()))[0];
    const name = found ? displayNameOf(found.resource) : stringOf(manager?.displayName);
    const email = found ? workEmail(found.resource) : value.includes('@') ? value : undefined;
    return name && email ? { name, email } : undefined;
  }

  /** The starter event a write makes, if any: created when the user becomes active, updated while active, cancelled when no longer. */
  function eventFor(user: ScimUser, previous: ScimUser | undefined, manager: Manager | undefined): unknown {
    const active = user.resource.active !== false;
    const was = previous !== undefined && previous.resource.active !== false;
    if (!active && !was) return undefined;
    const data = active
      ? starterDataOf(user.resource, { employeeId: user.employeeId, startDate: user.startDate, manager })
      : { employeeId: user.employeeId };
    const type = active ? (was ? 'starter.updated' : 'starter.created') : 'starter.cancelled';
    // The same write retried is the same event; another write, even of the same details, is not.
    const digest = createHash('sha256').update(JSON.stringify({ type, data })).digest('hex').slice(0, 16);
    return { type, id: `scim_${user.id}_v${user.version}_${digest}`, data };
  }

  const refuse = (status: number, scimType: string | undefined, detail: string) =>
    new SCIMMY.Types.Error(status, (scimType ?? null) as string, detail);

  function checkVersion(stored: ScimUser, ifMatch: string | undefined): void {
    if (ifMatch === undefined || ifMatch.trim() === '*') return;
    const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (!tags.includes(`"${stored.version}"`)) {
      throw refuse(412, undefined, `The user is at version ${etagOf(stored.version)}, not ${ifMatch}.`);
    }
  }

  function contextFor(request: ScimRequest): Context {
    /** The user as read when this request began, for its write to be conditional on. */
    const seen = new Map<string, ScimUser>();
    return {
      async read(id) {
        const user = await store.getScimUser(id);
        if (!user) throw refuse(404, undefined, `No user ${id}.`);
        seen.set(id, user);
        return toResource(user);
      },

      async list(filter) {
        const lookup = filter && lookupFor(filter);
        const users = lookup ? await store.findScimUsers(...lookup) : await store.listScimUsers();
        const resources = users.map(toResource);
        if (!filter) return resources;
        let folded: InstanceType<typeof SCIMMY.Types.Filter>;
        try {
          folded = new SCIMMY.Types.Filter(foldFilter(filter) as never);
        } catch (error) {
          // scimmy reads `userName eq` (no value) as a filter, and only refuses it when matching.
          if (error instanceof TypeError) throw refuse(400, 'invalidFilter', scimmyWords(error));
          throw error;
        }
        const matched = new Set(
          folded.match(resources.map((r) => foldResource(r)) as never[]).map((r) => (r as Json).id),
        );
        return resources.filter((r) => matched.has(r.id));
      },

      async write(id, instance) {
        const resource = { ...instance };
        for (const name of ['id', 'meta', 'password', 'groups']) delete resource[name];
        // A user is active unless it says not (RFC 7643 leaves `active` optional): said, so a filter finds it.
        if (resource.active === undefined) resource.active = true;
        const unseen = unseenAt(resource);
        if (unseen) {
          throw refuse(
            400,
            'invalidValue',
            `${unseen}: Must not contain control, format or invisible characters.`,
          );
        }
        const previous = id === undefined ? undefined : (seen.get(id) ?? (await store.getScimUser(id)));
        if (id !== undefined && !previous) throw refuse(404, undefined, `No user ${id}.`);
        if (previous) checkVersion(previous, request.ifMatch);
        if (previous && canonical(previous.resource) === canonical(resource)) return toResource(previous);

        const lookup = lookupOf(resource);
        const holders = (await store.findScimUsers('userName', lookup.userName)).filter((u) => u.id !== id);
        if (holders.length)
          throw refuse(409, 'uniqueness', `A user with userName "${resource.userName}" exists.`);

        const now = clock.now();
        const userId = id ?? deps.newId();
        const user: ScimUser = {
          id: userId,
          resource,
          lookup,
          employeeId: previous?.employeeId ?? employeeIdOf(resource, userId),
          startDate: startDateOf(resource) ?? previous?.startDate ?? isoDay(now, deps.timeZone),
          created: previous?.created ?? now.toISOString(),
          lastModified: now.toISOString(),
          version: (previous?.version ?? 0) + 1,
        };
        const raw = eventFor(user, previous, await managerOf(resource));
        if (raw) {
          let event: StarterEvent;
          try {
            event = parseStarterEvent(deps.schema, raw);
          } catch (error) {
            if (error instanceof ValidationError) throw refuse(400, 'invalidValue', attributeIssues(error));
            throw error;
          }
          // The starter first: a write that fails after it is retried by the provider, and converges.
          await deps.ingest(event);
          logger.info('scim user provisioned', { scimUserId: userId, event: event.type });
        }
        if (!(await store.putScimUser(user, previous))) throw new Contended();
        return toResource(user);
      },

      async remove(id) {
        const user = seen.get(id) ?? (await store.getScimUser(id));
        if (!user) throw refuse(404, undefined, `No user ${id}.`);
        checkVersion(user, request.ifMatch);
        if (user.resource.active !== false) {
          const event = {
            type: 'starter.cancelled',
            id: `scim_${id}_deleted`,
            data: { employeeId: user.employeeId },
          };
          await deps.ingest(parseStarterEvent(deps.schema, event));
          logger.info('scim user provisioned', { scimUserId: id, event: 'starter.cancelled' });
        }
        if (!(await store.deleteScimUser(user))) throw new Contended();
      },
    };
  }

  /** Runs a request's operation, again on the user as it now is when another write came first. */
  async function attempt<T>(request: ScimRequest, run: (ctx: Context) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      const ctx = contextFor(request);
      // scimmy turns any error it does not know into a 404 (or a 400): each is carried past it whole.
      const failures: unknown[] = [];
      const guarded: Context = Object.fromEntries(
        Object.entries(ctx).map(([name, op]) => [
          name,
          async (...args: unknown[]) => {
            try {
              return await (op as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (error) {
              if (error instanceof SCIMMY.Types.Error) throw error;
              failures.push(error);
              throw refuse(500, undefined, 'The request failed.');
            }
          },
        ]),
      ) as unknown as Context;
      try {
        return await run(guarded);
      } catch (error) {
        const failure = failures[0];
        if (failure instanceof Contended && tries < WRITE_ATTEMPTS) continue;
        if (failure instanceof Contended) {
          throw new ScimError(
            409,
            undefined,
            'The user was changed by another request meanwhile; send this one again.',
          );
        }
        if (failure !== undefined) throw failure;
        throw error;
      }
    }
  }

  const Resource = SCIMMY.Resources.User;
  /**
   * The user resource of a request: scimmy reads its filter and attribute lists as it is made, and
   * throws a TypeError for one it cannot (`userName eq` with no value): a 400 naming what is wrong.
   */
  class User extends Resource {
    constructor(...args: ConstructorParameters<typeof Resource>) {
      try {
        super(...args);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        const filter = /filter/i.test(error.message) || /comparator/i.test(error.message);
        throw new ScimError(400, filter ? 'invalidFilter' : 'invalidValue', scimmyWords(error));
      }
    }
  }

  /**
   * Refuses (400) a filter, attribute list or PATCH path naming anything but a user's attributes.
   * scimmy builds an object from the names these hold, following inherited properties, so
   * `filter=__proto__.x eq "y"` wrote onto every object in the process, `hasOwnProperty.call eq "y"`
   * or `userName eq "a" and userName.push.call eq "b"` broke a built-in, and `userName.length`
   * threw a RangeError (500): each later request's answers altered, or failing, until the function
   * restarted. A quoted value may hold any name (`userName eq "constructor"`).
   */
  function refuseUnknownNames(request: ScimRequest): void {
    const { query, body } = request;
    const said = (name: string) => `"${name}", which is no attribute of a user`;
    const inFilter = unknownName(query.get('filter'));
    if (inFilter !== undefined) throw refuse(400, 'invalidFilter', `The filter names ${said(inFilter)}.`);
    for (const list of ['attributes', 'excludedAttributes']) {
      const found = unknownName(query.get(list));
      if (found !== undefined) throw refuse(400, 'invalidValue', `${list} names ${said(found)}.`);
    }
    const operations = body && typeof body === 'object' ? (body as Json).Operations : undefined;
    for (const [index, op] of (Array.isArray(operations) ? operations : []).entries()) {
      const found = op && typeof op === 'object' ? unknownName((op as Json).path) : undefined;
      if (found !== undefined)
        throw refuse(400, 'invalidPath', `Operation ${index + 1}'s path names ${said(found)}.`);
    }
  }

  /** The query's `attributes` and `excludedAttributes` (RFC 7644 §3.9), as scimmy takes them. */
  function attributeParams(query: URLSearchParams): Record<string, string> {
    const params: Record<string, string> = {};
    for (const name of ['attributes', 'excludedAttributes']) {
      const value = query.get(name);
      if (value !== null) params[name] = value;
    }
    return params;
  }

  /** The query's list parameters: startIndex below 1 is read as 1 (RFC 7644 §3.4.2.4), count cut to MAX_RESULTS. */
  function listParams(query: URLSearchParams): Record<string, unknown> {
    const params: Record<string, unknown> = attributeParams(query);
    const filter = query.get('filter');
    if (filter !== null) params.filter = filter;
    const int = (name: string) => {
      const text = query.get(name);
      if (text === null) return undefined;
      if (!/^-?\d+$/.test(text.trim())) throw refuse(400, 'invalidValue', `${name} must be an integer.`);
      return Number.parseInt(text, 10);
    };
    const startIndex = int('startIndex');
    const count = int('count');
    params.startIndex = Math.max(startIndex ?? 1, 1);
    params.count = Math.min(Math.max(count ?? MAX_RESULTS, 0), MAX_RESULTS);
    return params;
  }

  /** Answers a request below the base URL, `basepath` (`https://…/scim/v2`). */
  async function handle(request: ScimRequest, basepath: string): Promise<ScimResponse> {
    locate(basepath);
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof ScimError) {
        return { status: error.status, body: errorBody(error.status, error.scimType, error.message) };
      }
      // An erased person's data is not taken again: the identity provider is told plainly.
      if (error instanceof ErasedError)
        return { status: 409, body: errorBody(409, undefined, error.message) };
      if (error instanceof SCIMMY.Types.Error) {
        const { status, scimType, message } = error as unknown as {
          status: number;
          scimType?: string;
          message: string;
        };
        return { status: Number(status), body: errorBody(Number(status), scimType ?? undefined, message) };
      }
      throw error;
    }
  }

  async function route(request: ScimRequest): Promise<ScimResponse> {
    const { method, query } = request;
    const [, collection = '', id, ...rest] = request.path.split('/');
    const notFound = () => new ScimError(404, undefined, `No such resource: ${request.path}.`);
    if (rest.length) throw notFound();
    const only = (...allowed: string[]) => {
      if (!allowed.includes(method)) {
        throw new ScimError(405, undefined, `${method} is not allowed here; use ${allowed.join(', ')}.`);
      }
    };
    switch (collection) {
      case 'Users': {
        refuseUnknownNames(request);
        if (id === undefined || id === '') {
          only('GET', 'POST');
          if (method === 'POST') {
            const user = (await attempt(request, (ctx) =>
              new User().write(normaliseUser(request.body) as Json, ctx),
            )) as unknown as Json;
            return created(user);
          }
          const list = await attempt(request, (ctx) => new User(listParams(query) as never).read(ctx));
          return { status: 200, body: list };
        }
        only('GET', 'PUT', 'PATCH', 'DELETE');
        const params = attributeParams(query);
        if (method === 'DELETE') {
          await attempt(request, (ctx) => new User(id, params).dispose(ctx));
          return { status: 204 };
        }
        if (method === 'GET') return ok(await attempt(request, (ctx) => new User(id, params).read(ctx)));
        if (method === 'PUT') {
          return ok(
            await attempt(request, (ctx) =>
              new User(id, params).write(normaliseUser(request.body) as Json, ctx),
            ),
          );
        }
        const patched = await attempt(request, async (ctx) => {
          // The user as it is: an add to a filter nothing matches yet adds the entry (normalisePatch).
          const current = (await store.getScimUser(id))?.resource;
          const result = await new User(id, params).patch(
            normalisePatch(request.body, current) as never,
            ctx,
          );
          // A patch that changes nothing answers the user as it is (200 with it, as Okta expects).
          return result ?? (await new User(id, params).read(ctx));
        });
        return ok(patched);
      }
      case 'Groups':
        // attest provisions users only: it keeps no groups, so a search finds none, and a write is refused.
        if (method === 'GET' && !id) {
          return {
            status: 200,
            body: new SCIMMY.Messages.ListResponse([], { startIndex: 1, count: 0, totalResults: 0 }),
          };
        }
        if (method === 'GET') throw notFound();
        throw new ScimError(501, undefined, 'attest does not keep groups: provision users only.');
      case 'ServiceProviderConfig':
        only('GET');
        if (id) throw notFound();
        return { status: 200, body: await new SCIMMY.Resources.ServiceProviderConfig().read() };
      case 'Schemas':
        only('GET');
        return {
          status: 200,
          body: await readOr404(() => new SCIMMY.Resources.Schema(id || undefined).read()),
        };
      case 'ResourceTypes':
        only('GET');
        return {
          status: 200,
          body: await readOr404(() => new SCIMMY.Resources.ResourceType(id || undefined).read()),
        };
      default:
        throw notFound();
    }
  }

  async function readOr404(read: () => Promise<unknown>): Promise<unknown> {
    const body = await read();
    if (body === undefined) throw new ScimError(404, undefined, 'No such resource.');
    return body;
  }

  const versionOf = (user: Json) => ((user.meta ?? {}) as Json).version as string | undefined;

  function ok(user: unknown): ScimResponse {
    return { status: 200, body: user, etag: versionOf(user as Json) };
  }

  function created(user: Json): ScimResponse {
    return {
      status: 201,
      body: user,
      etag: versionOf(user),
      location: ((user.meta ?? {}) as Json).location as string | undefined,
    };
  }

  return { handle };
}

/** RFC 7644 §3.12's error document; `status` is a string there. */
export function errorBody(status: number, scimType: string | undefined, detail: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    ...(scimType && { scimType }),
    detail,
  };
}
