// A SCIM user as the one starter contract (DESIGN §5): which attribute gives which field, and a refused field named as the identity provider knows it.
import { isCalendarDay, isTimeZone } from '../dates.ts';
import type { Manager } from '../model.ts';
import { ATTEST_USER, ENTERPRISE_USER, extensionOf, stringOf, workEmail } from './user-schema.ts';

type Json = Record<string, unknown>;

/** The SCIM attribute each field of the starter comes from, for naming it in an error. */
export const ATTRIBUTE_OF: Record<string, string> = {
  'data.employeeId': `${ENTERPRISE_USER}:employeeNumber`,
  'data.givenName': 'name.givenName',
  'data.familyName': 'name.familyName',
  'data.email': 'emails[type eq "work"].value',
  'data.startDate': `${ATTEST_USER}:startDate`,
  'data.manager': `${ENTERPRISE_USER}:manager`,
  'data.manager.name': `${ENTERPRISE_USER}:manager.displayName`,
  'data.manager.email': `${ENTERPRISE_USER}:manager`,
  'data.department': `${ENTERPRISE_USER}:department`,
  'data.organization': `${ENTERPRISE_USER}:organization`,
  'data.division': `${ENTERPRISE_USER}:division`,
  'data.jobTitle': 'title',
  'data.employmentType': 'userType',
  'data.location': 'addresses[type eq "work"].locality',
  'data.locale': 'locale',
  'data.timeZone': 'timezone',
};

/**
 * The employee id a new user's starter gets: the enterprise employeeNumber, else the external id
 * (the identity provider's own id for them), else attest's id for the user. Fixed from then on: a
 * starter's agreements are kept by it.
 */
export function employeeIdOf(resource: Json, id: string): string {
  return (
    stringOf(extensionOf(resource, ENTERPRISE_USER).employeeNumber)?.trim() ??
    stringOf(resource.externalId)?.trim() ??
    id
  );
}

/**
 * The first day the user names in attest's extension: a date, or the date of a date-time (Entra's
 * employeeHireDate is one) as written; undefined when none is given. Anything else is returned as
 * sent, for the starter schema to refuse.
 */
export function startDateOf(resource: Json): string | undefined {
  const given = stringOf(extensionOf(resource, ATTEST_USER).startDate)?.trim();
  if (given === undefined) return undefined;
  const day = /^(\d{4}-\d{2}-\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(given)?.[1];
  return day && isCalendarDay(day) ? day : given;
}

/** `en_US` (Okta), `en-US`, `en-us` → `en-US`; anything not a language with an optional region → undefined (the default). */
export function localeOf(resource: Json): string | undefined {
  const text = stringOf(resource.locale) ?? stringOf(resource.preferredLanguage)?.split(/[,;]/)[0];
  if (!text) return undefined;
  try {
    const locale = new Intl.Locale(text.trim().replace(/_/g, '-'));
    const tag = locale.region ? `${locale.language}-${locale.region}` : locale.language;
    return /^[a-z]{2,3}(-[A-Z]{2})?$/.test(tag) ? tag : undefined;
  } catch {
    return undefined;
  }
}

/** The IANA time zone named, or undefined (the default) for none or one not known here. */
export function timeZoneOf(resource: Json): string | undefined {
  const zone = stringOf(resource.timezone)?.trim();
  return zone && isTimeZone(zone) ? zone : undefined;
}

/** The town of the user's work address (else the primary, else the first). */
function locationOf(resource: Json): string | undefined {
  const addresses = (Array.isArray(resource.addresses) ? resource.addresses : []).filter(
    (a): a is Json => typeof a === 'object' && a !== null,
  );
  const address =
    addresses.find((a) => String(a.type).toLowerCase() === 'work') ??
    addresses.find((a) => a.primary === true) ??
    addresses[0];
  return stringOf(address?.locality);
}

/** A person's name for a greeting: the display name, else given and family names. */
export function displayNameOf(resource: Json): string | undefined {
  const name = (resource.name ?? {}) as Json;
  return (
    stringOf(resource.displayName) ??
    stringOf(name.formatted) ??
    ([stringOf(name.givenName), stringOf(name.familyName)].filter(Boolean).join(' ') || undefined)
  );
}

/**
 * The starter event's data for a user (before the starter schema checks it): `employeeId` and
 * `startDate` as fixed for the user, and the manager as found (none allowed: no escalation then).
 */
export function starterDataOf(
  resource: Json,
  fixed: { employeeId: string; startDate: string; manager?: Manager },
): Record<string, unknown> {
  const name = (resource.name ?? {}) as Json;
  const enterprise = extensionOf(resource, ENTERPRISE_USER);
  const optional = {
    department: stringOf(enterprise.department),
    organization: stringOf(enterprise.organization),
    division: stringOf(enterprise.division),
    jobTitle: stringOf(resource.title),
    employmentType: stringOf(resource.userType),
    location: locationOf(resource),
    locale: localeOf(resource),
    timeZone: timeZoneOf(resource),
  };
  return {
    employeeId: fixed.employeeId,
    givenName: name.givenName,
    familyName: name.familyName,
    email: workEmail(resource),
    startDate: fixed.startDate,
    ...(fixed.manager && { manager: fixed.manager }),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}
