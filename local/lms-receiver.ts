// The demo LMS receiver: verifies each webhook's Standard Webhooks signature, takes xAPI statements as an LRS and completions as a Moodle site, and lists what it received.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { escapeHtml } from '#shared/core/html.ts';
import { createLrs, type StoredStatement } from './lrs.ts';
import { createMoodle, DEMO_ACTIVITIES, type MoodleOverride, type MoodleUser } from './moodle.ts';
import { LOCAL_LRS_USERNAME, LOCAL_SECRETS } from './settings.ts';

export interface ReceivedCompletion {
  webhookId: string;
  receivedAt: string;
  attempts: number;
  /** What arrived on the first attempt, so a test can verify the signature itself. */
  raw: { body: string; headers: Record<string, string> };
  payload: {
    type: string;
    timestamp: string;
    data: Record<string, unknown> & { policy?: Record<string, unknown> };
  };
}

export interface LmsReceiver {
  server: Server;
  received(): ReceivedCompletion[];
  /** xAPI statements the demo LRS stored (at /xapi/). */
  statements(): StoredStatement[];
  /** Signed requests rejected (bad signature or timestamp): a demo of what a forged call gets. */
  rejected(): number;
  /** The demo Moodle's users and the completion overrides it took (at /moodle/). */
  moodle(): { users: MoodleUser[]; overrides: MoodleOverride[] };
}

/** The receiver's destinations, each of which an outage can take down alone. */
const DELIVERIES = ['webhook', 'xapi', 'moodle'] as const;
type DeliveryName = (typeof DELIVERIES)[number];

/** While an outage is on, every webhook gets 503, so a person (or a test) can watch retries. */
interface Outage {
  on: boolean;
  /** What it answers while on: 503 by default; `PUT /outage?status=400` (or 410, 429…) for others. */
  status: number;
  /** `webhook`, `xapi` or `moodle` when only that one is down (`?only=`); all otherwise. */
  only: DeliveryName | undefined;
  refused: number;
}

const statementRows = (statements: StoredStatement[]) =>
  statements
    .map(({ statement: s, attempts }) => {
      const actor = s.actor.account ? `${s.actor.account.homePage} · ${s.actor.account.name}` : s.actor.mbox;
      return `<tr><td>${escapeHtml(s.stored)}</td><td>${escapeHtml(s.actor.name ?? '')}<br><code>${escapeHtml(String(actor))}</code></td>
<td><code>${escapeHtml(s.verb.id)}</code><br><code>${escapeHtml(s.object.id)}</code></td>
<td>${escapeHtml(s.timestamp ?? '')}</td><td><code>${escapeHtml(s.id)}</code><br>${attempts}</td></tr>`;
    })
    .join('\n');

const moodleSection = (moodle: { users: MoodleUser[]; overrides: MoodleOverride[] }, origin: string) => `
<h2>Moodle</h2>
<p>The demo Moodle's REST web service at <code>${escapeHtml(origin)}/moodle/webservice/rest/server.php</code> (token <code>MOODLE_TOKEN</code>; used when <code>LMS_MODE</code> includes <code>moodle</code>): activity ${DEMO_ACTIVITIES.tracked} tracks completion, activity ${DEMO_ACTIVITIES.untracked} does not.
Add a user with <code>curl -X POST ${escapeHtml(origin)}/moodle/users -d '{"email":"ada@example.org","idnumber":"E1001"}'</code>.
An admin's mistakes: <code>curl -X DELETE ${escapeHtml(origin)}/moodle/token</code> deletes the token (<code>PUT</code> restores it); <code>curl -X DELETE '${escapeHtml(origin)}/moodle/tracking?cmid=${DEMO_ACTIVITIES.tracked}'</code> turns completion tracking off (<code>PUT</code> on). The outage applies to it too (<code>&amp;only=moodle</code>).</p>
<table><thead><tr><th>User id</th><th>Email</th><th>idnumber</th><th>username</th></tr></thead><tbody>
${moodle.users.map((u) => `<tr><td>${u.id}</td><td>${escapeHtml(u.email)}</td><td>${escapeHtml(u.idnumber)}</td><td>${escapeHtml(u.username)}</td></tr>`).join('\n')}
</tbody></table>
<h3>Completion overrides: ${moodle.overrides.length}</h3>
<table><thead><tr><th>At</th><th>User</th><th>Activity (cmid)</th><th>Asked / state</th></tr></thead><tbody>
${moodle.overrides.map((o) => `<tr><td>${escapeHtml(o.at)}</td><td>${o.userid} <code>${escapeHtml(o.email)}</code></td><td>${o.cmid}</td><td>${o.newstate} / ${o.state}${o.state === o.newstate ? '' : ' (completion tracking off)'}</td></tr>`).join('\n')}
</tbody></table>`;

const page = (
  items: ReceivedCompletion[],
  statements: StoredStatement[],
  rejected: number,
  outage: Outage,
  origin: string,
  moodle: { users: MoodleUser[]; overrides: MoodleOverride[] },
) => `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Demo LMS receiver</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:1rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
code{font-size:.85em}</style></head><body>
<h1>Demo LMS receiver</h1>
<p>Completions received and verified with <code>LMS_WEBHOOK_SECRET</code>: <strong>${items.length}</strong>.
Rejected (bad signature): ${rejected}. JSON: <a href="/received">/received</a>. Refreshes every 5 s.</p>
<p>Simulated outage: <strong>${outage.on ? `ON — ${outage.only ?? 'webhook and LRS'} answering ${outage.status}` : 'off'}</strong> (${outage.refused} refused).
Start one with <code>curl -X PUT ${escapeHtml(origin)}/outage</code> (add <code>?status=400</code> to reject, <code>?status=410</code> for Gone, <code>&amp;only=webhook</code>, <code>&amp;only=xapi</code> or <code>&amp;only=moodle</code> for one of them), end it with <code>curl -X DELETE ${escapeHtml(origin)}/outage</code>.</p>
<table><thead><tr><th>Received</th><th>Who</th><th>Policy</th><th>Acknowledged</th><th>webhook-id / attempts</th></tr></thead><tbody>
${items
  .map((c) => {
    const d = c.payload.data;
    const p = d.policy ?? {};
    return `<tr><td>${escapeHtml(c.receivedAt)}</td><td>${escapeHtml(`${d.givenName} ${d.familyName}`)}<br><code>${escapeHtml(String(d.employeeId))}</code></td>
<td>${escapeHtml(String(p.title))} v${escapeHtml(String(p.version))}<br><code>${escapeHtml(String(p.sha256).slice(0, 16))}…</code></td>
<td>${escapeHtml(String(d.acknowledgedAt))}<br><code>${escapeHtml(String(d.evidenceId))}</code></td>
<td><code>${escapeHtml(c.webhookId)}</code><br>${c.attempts}</td></tr>`;
  })
  .join('\n')}
</tbody></table>
<h2>xAPI statements</h2>
<p>Stored by the demo LRS at <code>${escapeHtml(origin)}/xapi/</code> (Basic auth with <code>LRS_USERNAME</code> / <code>LRS_PASSWORD</code>; used when <code>LMS_MODE</code> includes <code>xapi</code>): <strong>${statements.length}</strong>. The outage applies to it too.</p>
<table><thead><tr><th>Stored</th><th>Actor</th><th>Verb / activity</th><th>Timestamp</th><th>statement id / attempts</th></tr></thead><tbody>
${statementRows(statements)}
</tbody></table>${moodleSection(moodle, origin)}</body></html>`;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A signed event of another type than a completion (`policy.test`): taken, and not counted as one. */
export interface ReceivedTest {
  type: string;
  userAgent: string;
  payload: unknown;
}

/**
 * Starts the receiver; it de-duplicates webhooks by `webhook-id`, as a real LMS should, and
 * statements by id, as an LRS must.
 */
export function createLmsReceiver(
  secret: string,
  lrsCredentials = { username: LOCAL_LRS_USERNAME, password: LOCAL_SECRETS.LRS_PASSWORD as string },
  moodleToken: string = LOCAL_SECRETS.MOODLE_TOKEN,
): LmsReceiver {
  const webhook = new Webhook(secret);
  const lrs = createLrs(lrsCredentials);
  const moodle = createMoodle(moodleToken);
  const moodleState = () => ({ users: moodle.users(), overrides: moodle.overrides() });
  const byId = new Map<string, ReceivedCompletion>();
  let rejected = 0;
  const tests: ReceivedTest[] = [];
  const outage: Outage = { on: false, status: 503, only: undefined, refused: 0 };
  let slowMs = 0;
  const slowly = () => (slowMs ? new Promise((r) => setTimeout(r, slowMs)) : Promise.resolve());
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/outage' && (req.method === 'PUT' || req.method === 'DELETE')) {
      outage.on = req.method === 'PUT';
      const status = Number(url.searchParams.get('status') ?? 503);
      outage.status = Number.isInteger(status) && status >= 300 && status <= 599 ? status : 503;
      const only = url.searchParams.get('only');
      outage.only = DELIVERIES.find((d) => d === only);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(outage));
      return;
    }
    // A slow LMS: it takes each delivery (and keeps it) but answers only after `ms`, so a sender
    // with a shorter timeout gives up and tries again.
    if (url.pathname === '/slow' && (req.method === 'PUT' || req.method === 'DELETE')) {
      const ms = Number(url.searchParams.get('ms') ?? 15_000);
      slowMs = req.method === 'PUT' && Number.isInteger(ms) && ms > 0 ? Math.min(ms, 120_000) : 0;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ slowMs }));
      return;
    }
    const delivery =
      req.method === 'POST' && url.pathname === '/webhook'
        ? 'webhook'
        : req.method === 'PUT' && url.pathname === '/xapi/statements'
          ? 'xapi'
          : req.method === 'POST' && url.pathname === '/moodle/webservice/rest/server.php'
            ? 'moodle'
            : undefined;
    if (delivery && outage.on && (outage.only ?? delivery) === delivery) {
      req.resume();
      outage.refused++;
      const headers = { 'content-type': 'text/plain', ...(outage.status === 503 && { 'retry-after': '5' }) };
      res.writeHead(outage.status, headers).end(`simulated ${outage.status === 503 ? 'outage' : 'refusal'}`);
      return;
    }
    // A Moodle admin's changes, for a demo (or a test) of what attest makes of them.
    if (url.pathname === '/moodle/token' && (req.method === 'PUT' || req.method === 'DELETE')) {
      moodle.admin.revoke(req.method === 'DELETE');
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/moodle/tracking' && (req.method === 'PUT' || req.method === 'DELETE')) {
      const known = moodle.admin.track(Number(url.searchParams.get('cmid')), req.method === 'PUT');
      res.writeHead(known ? 204 : 404).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/moodle/users') {
      // A demo convenience, not Moodle's API: a user to find by email, idnumber or username.
      try {
        const user = JSON.parse(await readBody(req)) as Parameters<typeof moodle.addUser>[0];
        if (typeof user?.email !== 'string' || !user.email.includes('@')) throw new Error('email');
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(moodle.addUser(user)));
      } catch {
        res
          .writeHead(400, { 'content-type': 'text/plain' })
          .end('expected {"email": …, "idnumber"?: …, "username"?: …}');
      }
      return;
    }
    if (url.pathname.startsWith('/moodle/')) {
      const answer = moodle.handle({
        method: req.method ?? 'GET',
        path: url.pathname.slice('/moodle/'.length),
        query: url.searchParams,
        body: await readBody(req),
      });
      await slowly();
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (url.pathname.startsWith('/xapi/')) {
      const answer = lrs.handle({
        method: req.method ?? 'GET',
        path: url.pathname.slice('/xapi/'.length),
        query: url.searchParams,
        authorization: req.headers.authorization,
        version: req.headers['x-experience-api-version'] as string | undefined,
        body: await readBody(req),
      });
      await slowly();
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/webhook') {
      const body = await readBody(req);
      try {
        const payload = webhook.verify(
          body,
          req.headers as Record<string, string>,
        ) as ReceivedCompletion['payload'];
        const id = String(req.headers['webhook-id']);
        const seen = byId.get(id);
        // Any type but a completion (`attest lms test`'s policy.test) is taken and ignored, as a
        // real receiver must; the demo keeps it apart only to show that it came, signed.
        if (payload.type !== 'policy.acknowledged') {
          tests.push({ type: String(payload.type), userAgent: String(req.headers['user-agent']), payload });
        } else if (seen) seen.attempts++;
        else {
          const headers = Object.fromEntries(
            ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h])]),
          );
          byId.set(id, {
            webhookId: id,
            receivedAt: new Date().toISOString(),
            attempts: 1,
            raw: { body, headers },
            payload,
          });
        }
        await slowly();
        res.writeHead(204).end();
      } catch (error) {
        rejected++;
        const status = error instanceof WebhookVerificationError ? 401 : 400;
        res.writeHead(status, { 'content-type': 'text/plain' }).end('rejected');
      }
      return;
    }
    const items = [...byId.values()];
    if (req.method === 'GET' && url.pathname === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          received: items,
          statements: lrs.statements(),
          rejected,
          tests,
          moodle: moodleState(),
        }),
      );
    } else if (req.method === 'GET' && url.pathname === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          page(
            items,
            lrs.statements(),
            rejected,
            outage,
            `http://${req.headers.host ?? '127.0.0.1'}`,
            moodleState(),
          ),
        );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return {
    server,
    received: () => [...byId.values()],
    statements: () => lrs.statements(),
    rejected: () => rejected,
    moodle: moodleState,
  };
}
