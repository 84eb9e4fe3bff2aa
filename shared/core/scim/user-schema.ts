// The SCIM user as attest reads it (RFC 7643 §4.1 core, §4.3 enterprise, and attest's own extension), and what identity providers send that the RFC does not.

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** attest's extension: what a starter needs that neither the core nor the enterprise schema has. */
export const ATTEST_USER = 'urn:ietf:params:scim:schemas:extension:attest:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const EXTENSIONS = [ENTERPRISE_USER, ATTEST_USER] as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Entra ID sends booleans as "True" and "False" unless told otherwise (its `aadOptscim062020` flag). */
function asBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** The boolean attributes of a user, by name at any depth (`active`, and `primary` of each multi-valued entry). */
const BOOLEANS = new Set(['active', 'primary']);

/** A copy without nulls (Entra sends `"addresses": null` for "none"), its booleans as booleans. */
function tidy(value: unknown, name = ''): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => tidy(v, name));
  if (isObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) out[k] = tidy(v, k);
    }
    return out;
  }
  return BOOLEANS.has(name.toLowerCase()) ? asBoolean(value) : value;
}

/** Entra may send the manager as its id alone, where RFC 7643 has `{ "value": id }`. */
function managerAsComplex(enterprise: unknown): void {
  if (isObject(enterprise) && typeof enterprise.manager === 'string') {
    enterprise.manager = { value: enterprise.manager };
  }
}

/**
 * A user as an identity provider sent it (POST or PUT), made what the RFC describes: what the
 * client may not set (`id`, `meta`), what attest never keeps (`password`: Okta sends a random one;
 * `groups`: read-only) dropped; nulls dropped; string booleans read; an extension present but not
 * named in `schemas` (Entra's custom attributes) named.
 */
export function normaliseUser(body: unknown): unknown {
  if (!isObject(body)) return body;
  const user = tidy(body) as Json;
  for (const name of ['id', 'meta', 'password', 'groups']) delete user[name];
  managerAsComplex(user[ENTERPRISE_USER]);
  const schemas = Array.isArray(user.schemas)
    ? (user.schemas as unknown[]).filter((s) => typeof s === 'string')
    : [];
  const named = new Set(schemas.map((s) => (s as string).toLowerCase()));
  // Entra's own examples misspell the enterprise URN (`…:2.0User`): named wrongly is not named.
  const known = [CORE_USER, ...EXTENSIONS];
  const kept = schemas.filter((s) => known.some((k) => k.toLowerCase() === (s as string).toLowerCase()));
  if (!named.has(CORE_USER.toLowerCase())) kept.unshift(CORE_USER);
  for (const extension of EXTENSIONS) {
    if (extension in user && !named.has(extension.toLowerCase())) kept.push(extension);
  }
  user.schemas = kept;
  return user;
}

/**
 * A PatchOp as an identity provider sent it, made what RFC 7644 §3.5.2 describes: string booleans
 * read (Entra: `{"op":"Replace","path":"active","value":"False"}`), a manager given as its id made
 * `{ value }`, nulls and read-only attributes dropped from values. Ops' case (Entra's `Replace`) and
 * value paths are the library's to read.
 */
export function normalisePatch(body: unknown, current?: Json): unknown {
  if (!isObject(body) || !Array.isArray(body.Operations)) return body;
  return {
    ...body,
    Operations: body.Operations.map((op: unknown) => {
      if (!isObject(op)) return op;
      const added = addToNoMatch(op, current);
      if (added) return added;
      const path = typeof op.path === 'string' ? op.path.trim() : undefined;
      let value = op.value;
      if (path === undefined && isObject(value)) {
        value = tidy(value);
        for (const name of ['id', 'meta', 'password', 'groups', 'schemas']) delete (value as Json)[name];
        managerAsComplex((value as Json)[ENTERPRISE_USER]);
      } else if (path !== undefined) {
        const leaf = path.split(/[.:]/).pop()?.replace(/\[.*$/, '') ?? '';
        value = value === null ? value : tidy(value, leaf);
        if (/(^|:)manager$/i.test(path) && typeof value === 'string') value = { value };
      }
      return { ...op, ...(value !== undefined && { value }) };
    }),
  };
}

/**
 * Entra ID adds a user's first work address as `{"op":"Add","path":"emails[type eq \"work\"].value"}`:
 * a filter no entry matches yet, which RFC 7644 leaves without a target. Such an add is read as
 * adding the entry the filter describes (`{type: "work", value}`); one that matches is left alone.
 */
function addToNoMatch(op: Json, current: Json | undefined): Json | undefined {
  if (typeof op.op !== 'string' || op.op.toLowerCase() !== 'add' || typeof op.path !== 'string')
    return undefined;
  const parts = /^(\w+)\[\s*(\w+)\s+eq\s+"([^"]*)"\s*\]\.(\w+)$/i.exec(op.path.trim());
  if (!parts || !current || op.value === undefined || isObject(op.value) || Array.isArray(op.value))
    return undefined;
  const [, attribute, key, wanted, sub] = parts as unknown as [string, string, string, string, string];
  const name = Object.keys(current).find((k) => k.toLowerCase() === attribute.toLowerCase()) ?? attribute;
  const entries = Array.isArray(current[name]) ? (current[name] as unknown[]) : [];
  const matches = entries.some(
    (e) => isObject(e) && String(e[key] ?? '').toLowerCase() === wanted.toLowerCase(),
  );
  if (matches) return undefined;
  return { op: 'add', path: attribute, value: [{ [key]: wanted, [sub]: op.value }] };
}

/** A user's primary work address: the work email, else the primary, else the first; else a user name that is one. */
export function workEmail(resource: Json): string | undefined {
  const emails = (Array.isArray(resource.emails) ? resource.emails : []).filter(
    (e): e is Json => isObject(e) && typeof e.value === 'string',
  );
  const chosen =
    emails.find((e) => String(e.type).toLowerCase() === 'work' && e.primary === true) ??
    emails.find((e) => String(e.type).toLowerCase() === 'work') ??
    emails.find((e) => e.primary === true) ??
    emails[0];
  if (chosen) return chosen.value as string;
  const userName = resource.userName;
  return typeof userName === 'string' && userName.includes('@') ? userName : undefined;
}

/** The user's lookup values: the user name and emails lower-cased (neither is case-exact), the external id exactly. */
export function lookupOf(resource: Json): { userName: string; externalId?: string; emails: string[] } {
  const emails = (Array.isArray(resource.emails) ? resource.emails : [])
    .filter((e): e is Json => isObject(e) && typeof e.value === 'string')
    .map((e) => (e.value as string).toLowerCase());
  return {
    userName: String(resource.userName ?? '').toLowerCase(),
    ...(typeof resource.externalId === 'string' && { externalId: resource.externalId }),
    emails: [...new Set(emails)],
  };
}

export const extensionOf = (resource: Json, urn: string): Json => {
  const value = resource[urn];
  return isObject(value) ? value : {};
};

export const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;
