// The LMS destinations, listed once: settings, lanes, CLI choices, deploy parameters, secrets and alarms are derived from this list.
import type { LmsDestination } from './destination.ts';
import { moodle } from './moodle.ts';
import type { DestinationName } from './names.ts';
import { webhook } from './webhook.ts';
import { xapi } from './xapi.ts';

/** Adding a destination: its module beside this one, its name in names.ts, its delivery ids in delivery-ids.ts, and its line here. */
export const destinations = { webhook, xapi, moodle } satisfies Record<DestinationName, LmsDestination>;
