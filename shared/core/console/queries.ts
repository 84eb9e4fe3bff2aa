// What each console page shows (issue 15), read from the store: the report's numbers, people, policies, dead letters and exports, as views.ts models them.
import type {
  Assignments,
  AuditTrail,
  Clock,
  Deliveries,
  MailWork,
  Policies,
  PolicyIndex,
  Starters,
} from '../../ports.ts';
import { assignmentsOfStarter, type EvidenceReport, integrity, makeEvidenceReport } from '../evidence.ts';
import { starterIdFor } from '../ids.ts';
import { type Lifecycle, renewalStateOf, renewsAt } from '../lifecycle.ts';
import { MAX_DEAD_LETTERS } from '../lms-operations.ts';
import {
  type Assignment,
  type AssignmentStatus,
  DELIVERY_KINDS,
  type Delivery,
  type DeliveryKind,
  isNewerAsk,
  isUnsigned,
  type PolicyVersion,
  type Starter,
} from '../model.ts';
import { makeReport, type ReportFilter, type ReportRow } from '../report.ts';
import { folded } from '../visible.ts';
import { completionBy, current, signedPerWeek } from './aggregates.ts';
import type {
  ActionName,
  AssignmentActions,
  AttentionRow,
  ConfirmView,
  DeadLetterLine,
  DeliveriesView,
  DeliveryLineView,
  ExportsView,
  OverviewView,
  PeopleView,
  PersonAssignment,
  PersonHit,
  PersonView,
  PoliciesView,
  PolicyDiffView,
  PolicyOverview,
  PolicyVersionLine,
  Role,
} from './views.ts';

/** The console only reads: each operation it uses, and no write. */
export type ConsoleReadStore = Pick<Starters, 'getStarter' | 'getStarters'> &
  Pick<Assignments, 'getAssignment' | 'getAssignments'> &
  Pick<Policies, 'getPolicyVersion' | 'getLatestPolicyVersion'> &
  Pick<PolicyIndex, 'assignmentsOf'> &
  Pick<AuditTrail, 'getAuditTrail'> &
  Pick<Deliveries, 'deadLetters'> &
  Pick<MailWork, 'getSentAttempt'>;

export interface ConsoleQueriesDeps {
  store: ConsoleReadStore;
  clock: Clock;
  /** The deployment's policy ids (the bundled policies'); those never published are left out. */
  policies: readonly string[];
  /** The time zone the overview's weeks are counted in. */
  timeZone: string;
  /** The destinations this deployment delivers to (LMS_MODE): only those are offered for replay. */
  deliveries: readonly DeliveryKind[];
  /** Each policy's `reattest:` (REATTEST_EVERY the default) and `due:`: what "due for renewal" and "lapsed" count from. */
  lifecycleFor?: (policyId: string) => Lifecycle;
}

/** One person's evidence as exported (JSON): who they are, and `attest evidence`'s report of each assignment. */
export interface PersonEvidence {
  starter: PersonView['starter'];
  /** Newest first, as the person page lists them. */
  assignments: EvidenceReport[];
  exportedAt: string;
}

/** The overview lists this many people needing attention per policy, and counts the rest. */
export const ATTENTION_LIMIT = 25;
/** A search shows this many people at most, and says when more matched. */
export const SEARCH_LIMIT = 50;
export const SEARCH_MIN = 2;
export const SEARCH_MAX = 200;
/** Ids read from the table at a time (BatchGetItem's limit). */
const BATCH = 100;

/** Statuses whose invite may be sent again; the resend use case refuses the rest, saying why. */
const RESENDABLE: readonly AssignmentStatus[] = ['pending', 'invited', 'overdue'];
/** Declined, overdue, then bounced, before the rest: the people someone must talk to or chase by hand. */
const ATTENTION_RANK: Partial<Record<AssignmentStatus, number>> = { declined: 0, overdue: 1, bounced: 2 };
/** Names compared as people read them (case and accents aside); made at first use, not at a cold start. */
let names: Intl.Collator | undefined;
function byName(a: string, b: string): number {
  names ??= new Intl.Collator('en', { sensitivity: 'base' });
  return names.compare(a, b);
}
/** Control and format characters (bidi overrides, zero-width joiners): never part of a name searched for. */
const UNSAFE_QUERY = /[\p{Cc}\p{Cf}]/u;

const nameOf = (s: Pick<Starter, 'givenName' | 'familyName'>) => `${s.givenName} ${s.familyName}`.trim();

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

export function makeConsoleQueries(deps: ConsoleQueriesDeps) {
  const { store, clock, timeZone } = deps;
  const lifecycleFor: (policyId: string) => Lifecycle = deps.lifecycleFor ?? (() => ({}));
  const report = makeReport({ store, clock, lifecycleFor });
  const evidence = makeEvidenceReport(store);

  /** The deployment's published policies, each at its newest version, in the deployment's order. */
  async function published(): Promise<PolicyVersion[]> {
    const latest = await Promise.all(deps.policies.map((id) => store.getLatestPolicyVersion(id)));
    return latest.filter((p): p is PolicyVersion => p !== undefined);
  }

  /**
   * Every starter asked any of the deployment's policies, from each policy's index. The table has
   * no index by name or department, so this reads every starter asked: fine at the thousands of
   * staff a deployment has (a limit the README lists), and no personal data is copied into an index.
   */
  async function askedStarters(): Promise<Starter[]> {
    const ids = new Set<string>();
    for (const policyId of deps.policies) {
      for await (const page of store.assignmentsOf(policyId)) for (const ask of page) ids.add(ask.starterId);
    }
    const found: Starter[] = [];
    for (const batch of chunks([...ids])) found.push(...(await store.getStarters(batch)).values());
    return found;
  }

  /**
   * The overview, per published policy:
   * 1. One run of the report (filter `all`), collecting every row: its summary gives the numbers,
   *    so they are exactly `attest report`'s for the same data.
   * 2. The charts from those rows (aggregates.ts counts each person once, by their newest ask).
   * 3. Attention: each person's current ask that is unsigned, overdue and bounced first, then the
   *    longest waiting; ATTENTION_LIMIT of them, the rest counted.
   */
  async function overview(): Promise<OverviewView> {
    const policies: PolicyOverview[] = [];
    for (const latest of await published()) {
      const rows: ReportRow[] = [];
      const summary = await report.run(latest.policyId, { filter: 'all' }, (batch) => {
        rows.push(...batch);
      });
      const waiting = current(rows)
        .filter((row) => isUnsigned(row.status))
        .sort(byAttention);
      policies.push({
        policyId: latest.policyId,
        title: summary.policy.title,
        version: summary.policy.version,
        total: summary.total,
        byStatus: summary.byStatus,
        signed: summary.signed,
        unsigned: summary.unsigned,
        cancelled: summary.byStatus.cancelled,
        dueForRenewal: summary.dueForRenewal,
        lapsed: summary.lapsed,
        byDepartment: completionBy(rows, 'department'),
        byManager: completionBy(rows, 'manager'),
        perWeek: signedPerWeek(rows, timeZone),
        attention: waiting.slice(0, ATTENTION_LIMIT).map(attentionOf),
        attentionMore: Math.max(0, waiting.length - ATTENTION_LIMIT),
      });
    }
    return { policies, timeZone };
  }

  /**
   * Finds people by name, email or employee id.
   * 1. Refuses a query under SEARCH_MIN or over SEARCH_MAX characters, or holding control or
   *    format characters, searching nothing.
   * 2. An employee id exactly: that person alone (one read).
   * 3. Otherwise every starter asked any policy, matched as a substring of "given family", email
   *    or employee id, ignoring case and accents; by family then given name, SEARCH_LIMIT at most.
   */
  async function searchPeople(raw: string): Promise<PeopleView> {
    const query = raw.trim();
    const length = [...query].length;
    if (length < SEARCH_MIN) return { query, error: `Type at least ${SEARCH_MIN} characters.` };
    if (length > SEARCH_MAX) return { query, error: `Type at most ${SEARCH_MAX} characters.` };
    if (UNSAFE_QUERY.test(query)) return { query, error: 'Type letters, digits and punctuation only.' };
    const exact = await store.getStarter(starterIdFor(query));
    if (exact) return { query, results: [hitOf(exact)], truncated: false };
    const needle = folded(query);
    const matched = (await askedStarters())
      .filter((s) => [nameOf(s), s.email, s.employeeId].some((field) => folded(field).includes(needle)))
      .sort(
        (a, b) =>
          byName(a.familyName, b.familyName) ||
          byName(a.givenName, b.givenName) ||
          a.employeeId.localeCompare(b.employeeId),
      );
    return {
      query,
      results: matched.slice(0, SEARCH_LIMIT).map(hitOf),
      truncated: matched.length > SEARCH_LIMIT,
    };
  }

  /**
   * One person's page.
   * 1. The starter; none, nothing to show.
   * 2. Their assignments (newest first), each with its version's title, the evidence and whether
   *    the stored text still hashes to it, each LMS delivery, and the audit trail.
   * 3. What an admin may do to each now; an auditor may do nothing.
   */
  async function person(starterId: string, role: Role): Promise<PersonView | undefined> {
    const starter = await store.getStarter(starterId);
    if (!starter) return undefined;
    const versions = new Map<string, Promise<PolicyVersion | undefined>>();
    const versionOf = (a: Assignment) => {
      const key = `${a.policyId}#${a.policyVersion}`;
      if (!versions.has(key)) versions.set(key, store.getPolicyVersion(a.policyId, a.policyVersion));
      return versions.get(key) as Promise<PolicyVersion | undefined>;
    };
    const asks = await assignmentsOfStarter(store, starter);
    const now = clock.now();
    // Each policy's current ask: its newest version's, the later of one version's (a renewal).
    const currentOf = new Map<string, Assignment>();
    for (const a of asks) {
      if (isNewerAsk(a, currentOf.get(a.policyId))) currentOf.set(a.policyId, a);
    }
    const assignments = await Promise.all(
      asks.map(async (a): Promise<PersonAssignment> => {
        const [policy, audit] = await Promise.all([versionOf(a), store.getAuditTrail(a.assignmentId)]);
        const { reattest } = lifecycleFor(a.policyId);
        return {
          assignmentId: a.assignmentId,
          policyId: a.policyId,
          policyTitle: policy?.title ?? a.ack?.policyTitle ?? a.policyId,
          policyVersion: a.policyVersion,
          status: a.status,
          reason: a.reason ?? 'starter',
          assignedAt: a.createdAt,
          invitedAt: a.chase?.invitedAt ?? null,
          remindersSent: a.chase?.remindersSent ?? 0,
          bounce: a.bounce ? `${a.bounce.reason} at ${a.bounce.at}` : null,
          signBy: a.signBy ?? null,
          renewsAt: renewsAt(a, reattest)?.toISOString() ?? null,
          renewal: renewalStateOf(a, now, reattest, currentOf.get(a.policyId) === a),
          evidence: a.ack ?? null,
          declines: a.declines ?? [],
          // A version missing from the table cannot be the text agreed to.
          integrityMatches: a.ack ? (policy ? integrity(policy, a.ack).matches : false) : null,
          deliveries: DELIVERY_KINDS.flatMap((kind) => {
            const delivery = a[kind];
            return delivery ? [deliveryLineOf(kind, delivery)] : [];
          }),
          audit,
          actions: actionsOf(a, role),
        };
      }),
    );
    return { starter: starterOf(starter), assignments };
  }

  /** What `role` may do to an assignment as it stands. */
  function actionsOf(a: Assignment, role: Role): AssignmentActions {
    if (role !== 'admin') return { resend: false, cancel: false, accept: false, replay: [] };
    return {
      resend: RESENDABLE.includes(a.status),
      cancel: a.status !== 'acknowledged' && a.status !== 'cancelled',
      accept: !a.ack && isUnsigned(a.status),
      replay: DELIVERY_KINDS.filter((kind) => replayable(a, kind)),
    };
  }

  /**
   * A dead delivery to a destination this deployment still sends to: one to a destination taken
   * out of LMS_MODE would only die again (`unconfigured`).
   */
  function replayable(a: Assignment, kind: DeliveryKind): boolean {
    return a[kind]?.state === 'dead' && deps.deliveries.includes(kind);
  }

  /**
   * One person's evidence, for export as JSON: the starter and, for each assignment, the evidence
   * report `attest evidence` gives (the text's integrity, emails, deliveries, audit trail).
   */
  async function personEvidence(starterId: string): Promise<PersonEvidence | undefined> {
    const starter = await store.getStarter(starterId);
    if (!starter) return undefined;
    const assignments: EvidenceReport[] = [];
    for (const a of await assignmentsOfStarter(store, starter)) {
      assignments.push((await evidence.report(a.assignmentId)).report);
    }
    return { starter: starterOf(starter), assignments, exportedAt: clock.now().toISOString() };
  }

  /** How many were asked, and signed, each version of a policy: one pass over its index. */
  async function countsOf(policyId: string): Promise<Map<number, { asked: number; signed: number }>> {
    const counts = new Map<number, { asked: number; signed: number }>();
    for await (const page of store.assignmentsOf(policyId)) {
      for (const ask of page) {
        const count = counts.get(ask.policyVersion) ?? { asked: 0, signed: 0 };
        count.asked++;
        if (ask.status === 'acknowledged') count.signed++;
        counts.set(ask.policyVersion, count);
      }
    }
    return counts;
  }

  const lineOf = (
    p: PolicyVersion,
    counts: Map<number, { asked: number; signed: number }>,
  ): PolicyVersionLine => ({
    version: p.version,
    title: p.title,
    effectiveDate: p.effectiveDate,
    publishedAt: p.publishedAt,
    sha256: p.sha256,
    translations: Object.entries(p.translations ?? {}).flatMap(([language, t]) =>
      t ? [{ language, sha256: t.sha256 }] : [],
    ),
    asked: counts.get(p.version)?.asked ?? 0,
    signed: counts.get(p.version)?.signed ?? 0,
  });

  /** Each published policy's versions, oldest first, with how many were asked and signed each. */
  async function policies(): Promise<PoliciesView> {
    const out: PoliciesView['policies'] = [];
    for (const latest of await published()) {
      const [counts, versions] = await Promise.all([
        countsOf(latest.policyId),
        Promise.all(
          Array.from({ length: latest.version }, (_, i) => store.getPolicyVersion(latest.policyId, i + 1)),
        ),
      ]);
      out.push({
        policyId: latest.policyId,
        title: latest.title,
        versions: versions.filter((p): p is PolicyVersion => p !== undefined).map((p) => lineOf(p, counts)),
      });
    }
    return { policies: out };
  }

  /**
   * What changed from version `from` to a later `to`; undefined unless both exist and from < to.
   * The diff library loads with the first diff asked for, not at the console's cold start
   * (infra/bundle.ts LAZY_MODULES).
   */
  async function diff(policyId: string, from: number, to: number): Promise<PolicyDiffView | undefined> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || from >= to) return undefined;
    const [older, newer, latest] = await Promise.all([
      store.getPolicyVersion(policyId, from),
      store.getPolicyVersion(policyId, to),
      store.getLatestPolicyVersion(policyId),
    ]);
    if (!older || !newer || !latest) return undefined;
    const [counts, { policyDiff, translationDiffs }] = await Promise.all([
      countsOf(policyId),
      import('#shared/core/console/policy-diff.ts'),
    ]);
    return {
      policyId,
      title: latest.title,
      from: lineOf(older, counts),
      to: lineOf(newer, counts),
      diff: policyDiff(older, newer),
      translations: translationDiffs(older, newer),
    };
  }

  /**
   * The dead letters, by destination then oldest first, each with why it died (its delivery's
   * dead letter) and whose it is: assignments and starters read a hundred at a time.
   */
  async function deliveries(role: Role): Promise<DeliveriesView> {
    const letters = await store.deadLetters(MAX_DEAD_LETTERS);
    const assignments = new Map<string, Assignment>();
    for (const batch of chunks([...new Set(letters.map((l) => l.assignmentId))])) {
      for (const [id, a] of await store.getAssignments(batch)) assignments.set(id, a);
    }
    const starters = new Map<string, Starter>();
    for (const batch of chunks([...new Set([...assignments.values()].map((a) => a.starterId))])) {
      for (const [id, s] of await store.getStarters(batch)) starters.set(id, s);
    }
    const lines: DeadLetterLine[] = [];
    for (const letter of letters) {
      const a = assignments.get(letter.assignmentId);
      // Assignments are never deleted; one missing has nothing to show or replay.
      if (!a) continue;
      const delivery = a[letter.kind];
      const starter = starters.get(a.starterId);
      lines.push({
        assignmentId: a.assignmentId,
        destination: letter.kind,
        deadAt: letter.deadAt,
        reason: delivery ? (reasonOf(delivery) ?? 'unknown') : 'unknown',
        lastStatus: delivery?.lastStatus ?? delivery?.deadLetter?.status ?? null,
        attempts: delivery?.attempts ?? 0,
        starterId: a.starterId,
        name: starter ? nameOf(starter) : '',
        policyId: a.policyId,
        policyVersion: a.policyVersion,
      });
    }
    const rank = (kind: DeliveryKind) => DELIVERY_KINDS.indexOf(kind);
    lines.sort((x, y) => rank(x.destination) - rank(y.destination) || x.deadAt.localeCompare(y.deadAt));
    return { deadLetters: lines, canReplay: role === 'admin' };
  }

  /** What may be exported: the published policies, and the departments of everyone asked. */
  async function exports(): Promise<ExportsView> {
    const [latest, starters] = await Promise.all([published(), askedStarters()]);
    const departments = new Set<string>();
    for (const s of starters) {
      const department = s.department?.trim();
      if (department) departments.add(department);
    }
    return {
      policies: latest.map((p) => ({ policyId: p.policyId, title: p.title })),
      departments: [...departments].sort(byName),
    };
  }

  /**
   * The report's CSV (header and byte-order mark, as `attest report --csv` writes a file), its
   * rows narrowed to one department when given (trimmed, ignoring case); undefined for a policy
   * this deployment does not have or never published.
   */
  async function reportCsv(params: {
    policyId: string;
    status: ReportFilter;
    department?: string;
    since?: Date;
    until?: Date;
  }): Promise<string | undefined> {
    if (!deps.policies.includes(params.policyId)) return undefined;
    if (!(await store.getLatestPolicyVersion(params.policyId))) return undefined;
    const department = params.department?.trim().toLowerCase();
    const rows: ReportRow[] = [];
    await report.run(
      params.policyId,
      {
        filter: params.status,
        ...(params.since && { since: params.since }),
        ...(params.until && { until: params.until }),
      },
      (batch) => {
        for (const row of batch) {
          if (!department || row.department.trim().toLowerCase() === department) rows.push(row);
        }
      },
    );
    // csv-stringify loads with the first export, not at the console's cold start (LAZY_MODULES).
    const { csvOf } = await import('#shared/core/report-csv.ts');
    return csvOf(rows, { header: true, bom: true });
  }

  /**
   * The facts the confirmation page states before an action: whose assignment, of which policy,
   * where it stands. Undefined when there is no such assignment, or for a replay, when its
   * delivery there is not dead (or goes to a destination no longer sent to).
   */
  async function confirmation(
    action: ActionName,
    assignmentId: string,
    destination?: DeliveryKind,
  ): Promise<ConfirmView | undefined> {
    const a = await store.getAssignment(assignmentId);
    if (!a) return undefined;
    if (action === 'replay' && (!destination || !replayable(a, destination))) return undefined;
    const [starter, policy] = await Promise.all([
      store.getStarter(a.starterId),
      store.getPolicyVersion(a.policyId, a.policyVersion),
    ]);
    return {
      action,
      assignmentId,
      ...(action === 'replay' && { destination }),
      starterId: a.starterId,
      name: starter ? nameOf(starter) : '',
      policyTitle: policy?.title ?? a.policyId,
      policyVersion: a.policyVersion,
      status: a.status,
    };
  }

  return {
    overview,
    searchPeople,
    person,
    personEvidence,
    policies,
    policyDiff: diff,
    deliveries,
    exports,
    reportCsv,
    confirmation,
  };
}

const rowName = (row: ReportRow) => `${row.givenName} ${row.familyName}`.trim();

/** Overdue, then bounced, then the rest; the longest waiting first; then by name. */
function byAttention(a: ReportRow, b: ReportRow): number {
  return (
    (ATTENTION_RANK[a.status] ?? 3) - (ATTENTION_RANK[b.status] ?? 3) ||
    (b.daysWaiting ?? -1) - (a.daysWaiting ?? -1) ||
    byName(rowName(a), rowName(b))
  );
}

function attentionOf(row: ReportRow): AttentionRow {
  return {
    // The starter's id is derived from the employee id (ids.ts): the row need not carry it.
    starterId: starterIdFor(row.employeeId),
    employeeId: row.employeeId,
    name: rowName(row),
    email: row.email,
    department: row.department,
    status: row.status,
    policyVersion: row.policyVersion,
    daysWaiting: row.daysWaiting,
    ...(row.renewal && { renewal: row.renewal }),
  };
}

function hitOf(s: Starter): PersonHit {
  return {
    starterId: s.starterId,
    employeeId: s.employeeId,
    name: nameOf(s),
    email: s.email,
    department: s.department ?? '',
    status: s.status,
  };
}

function starterOf(s: Starter): PersonView['starter'] {
  return {
    ...hitOf(s),
    jobTitle: s.jobTitle ?? '',
    manager: s.manager ? { name: s.manager.name, email: s.manager.email } : null,
    startDate: s.startDate,
    erasedAt: s.erased?.at ?? null,
  };
}

/** Why a delivery died, in words: the dead letter's reason and the destination's own reading of it. */
function reasonOf(delivery: Delivery): string | null {
  const letter = delivery.deadLetter;
  if (delivery.state !== 'dead' || !letter) return null;
  return letter.detail ? `${letter.reason}: ${letter.detail}` : letter.reason;
}

function deliveryLineOf(destination: DeliveryKind, delivery: Delivery): DeliveryLineView {
  return {
    destination,
    state: delivery.state,
    attempts: delivery.attempts,
    lastStatus: delivery.lastStatus ?? null,
    // The attempt log's newest entry; a delivery recorded before the log was kept has only its time delivered.
    lastAttemptAt: delivery.attemptLog?.at(-1)?.at ?? delivery.deliveredAt ?? null,
    reason: reasonOf(delivery),
  };
}
