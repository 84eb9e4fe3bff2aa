// `npm run demo`: sends a signed sample starter to the running local stack and says where to look; `npm run demo -- --welsh`, a Welsh-speaking one.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isoDay } from '#shared/core/dates.ts';
import { LOCAL_SECRETS, localPorts, portPrefix } from './settings.ts';

let ports: ReturnType<typeof localPorts>;
try {
  ports = localPorts(process.env);
} catch (error) {
  console.error(`attest demo: ${(error as Error).message}`);
  process.exit(2);
}
const api = process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${ports.api}`;
/** What the suggested commands need to reach this stack rather than one on the default ports. */
const prefix = portPrefix(ports);
const secret = process.env.HR_WEBHOOK_SECRET ?? LOCAL_SECRETS.HR_WEBHOOK_SECRET;
const suffix = randomUUID().slice(0, 8);
/** `--welsh`: a Welsh-speaking starter (locale cy-GB), who gets the Welsh invite, page and receipt. */
const welsh = process.argv.slice(2).includes('--welsh');
const person = welsh
  ? { givenName: 'Siân', familyName: 'Jones', email: `sian.jones+${suffix}@example.org`, locale: 'cy-GB' }
  : {
      givenName: 'Ada',
      familyName: 'Lovelace',
      email: `ada.lovelace+${suffix}@example.org`,
      locale: 'en-GB',
    };

const event = {
  type: 'starter.created',
  id: `evt_demo_${suffix}`,
  data: {
    employeeId: `DEMO-${suffix}`,
    givenName: person.givenName,
    familyName: person.familyName,
    email: person.email,
    startDate: isoDay(new Date(Date.now() + 7 * 86400_000)),
    manager: { name: 'Grace Hopper', email: 'grace.hopper@example.org' },
    department: "Children's Services",
    locale: person.locale,
    timeZone: 'Europe/London',
    policies: ['safe-internet-use'],
  },
};

// The demo Moodle knows nobody until told: the starter is added to it, as a Moodle admin's users
// are already there, so that LMS_MODE with moodle finds them by email (the demo receiver only).
let moodleUser: number | undefined;
try {
  const added = await fetch(`http://127.0.0.1:${ports.lms}/moodle/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: event.data.email,
      idnumber: event.data.employeeId,
      firstname: event.data.givenName,
      lastname: event.data.familyName,
    }),
  });
  if (added.ok) moodleUser = ((await added.json()) as { id: number }).id;
} catch {
  // No demo receiver (it runs with npm start): nothing for a moodle destination to find, said below.
}

const body = JSON.stringify(event);
const webhookId = `msg_${randomUUID()}`;
const now = new Date();
let response: Response;
try {
  response = await fetch(`${api}/v1/starters`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(webhookId, now, body),
    },
    body,
  });
} catch {
  console.error(`attest demo: nothing answers at ${api}. Start the stack first: npm start`);
  process.exit(1);
}
const text = await response.text();
if (response.status !== 202) {
  console.error(`attest demo: the API answered ${response.status}:\n${text}`);
  if (response.status === 401)
    console.error(
      `The demo signs with ${process.env.HR_WEBHOOK_SECRET ? 'the HR_WEBHOOK_SECRET set here' : 'the local default HR_WEBHOOK_SECRET'}: give it the one npm start printed, e.g. HR_WEBHOOK_SECRET=whsec_… npm run demo`,
    );
  process.exit(1);
}
console.log(`Sent a signed starter.created for ${event.data.givenName} ${event.data.familyName} (${event.data.email}).
API answered 202: ${text}

Next:
  1. Open the mailbox: http://127.0.0.1:${ports.ses} — the invite arrives within a few seconds${
    welsh ? ', in Welsh' : ''
  }.
  2. Follow its "${welsh ? 'Darllen a llofnodi’r polisi' : 'Read and sign'}" link, type the name, tick the box and submit.
     A receipt email follows in the mailbox.${welsh ? ' The evidence records locale "cy" and the Welsh text’s sha256.' : ''}
     (Or first answer "${welsh ? 'Nid wyf yn cytuno' : 'I do not agree'}", with a reason: the manager and HR get one
     email saying so; the same link still signs afterwards.)
  3. Open the demo LMS receiver: http://127.0.0.1:${ports.lms} — the signed completion appears${
    moodleUser === undefined
      ? '.'
      : `;\n     with LMS_MODE including moodle, so does the demo Moodle's completion for its user ${moodleUser}.`
  }
  4. The evidence and its audit trail, from the records alone:
       ${prefix}npx attest evidence --employee ${event.data.employeeId} --policy safe-internet-use
  5. Who has signed and who has not (--status all --out report.csv: every row, with its evidence):
       ${prefix}npx attest report --policy safe-internet-use
  6. Publish a changed policy and ask everyone to sign it (again, for those who signed):
       ${prefix}npx attest policy publish templates/policies/safe-internet-use.md --reacknowledge${
         welsh
           ? ''
           : `\n  7. A Welsh-speaking starter, who is asked in Welsh:\n       ${prefix}npm run demo -- --welsh`
       }`);
