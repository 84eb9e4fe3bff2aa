// Figure: the "who has not signed?" report and its CSV — one policy's assignments read from the policy index — against a Scan-based report, as the rest of the table grows.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Assignment } from '#shared/core/model.ts';
import { makeReport, rowOf } from '#shared/core/report.ts';
import { csvOf } from '#shared/core/report-csv.ts';
import { TABLE_NAME } from '../local/settings.ts';
import { median, putItems, startLocalTable } from './local-table.ts';
import { fmt } from './measure.ts';

/** The policy reported on: its assignments, a third of them signed. */
export const POLICY = 'safe-internet-use';
const ASSIGNED = 2_000;
/** Everything else in the table (other policies' assignments, audit trails), as it grows 5×. */
const OTHERS = [20_000, 100_000];
export const NOW = new Date('2026-11-24T10:00:00.000Z');

/** Starter `s{i}` as stored; `extra` sets other fields (a department, a manager). */
export function starter(i: number, extra: Record<string, unknown> = {}) {
  return marshall({
    pk: `STARTER#s${i}`,
    sk: 'PROFILE',
    starterId: `s${i}`,
    employeeId: `E${i}`,
    givenName: 'Ada',
    familyName: `Lovelace ${i}`,
    email: `ada.${i}@example.org`,
    startDate: '2026-12-01',
    department: "Children's Services",
    manager: { name: 'Grace Hopper', email: 'grace@example.org' },
    locale: 'en-GB',
    timeZone: 'Europe/London',
    policies: [POLICY],
    status: 'active',
    updatedAt: NOW.toISOString(),
    ...extra,
  });
}

/** Starter `s{i}`'s assignment of `policyId`, made over 30 days before NOW; every third one signed. */
export function assignment(i: number, policyId: string) {
  const id = `${policyId.slice(0, 4)}${String(i).padStart(18, '0')}`;
  const createdAt = new Date(NOW.getTime() - 30 * 86_400_000 + i * 1000).toISOString();
  const signed = i % 3 === 0;
  const item: Assignment = {
    assignmentId: id,
    starterId: `s${i}`,
    policyId,
    policyVersion: 1,
    policySha256: 'a'.repeat(64),
    status: signed ? 'acknowledged' : 'invited',
    createdAt,
    chase: { invitedAt: createdAt, remindersSent: 1 },
    sends: [],
    ...(signed && {
      ack: {
        evidenceId: `ev_${id}`,
        acknowledgedAt: createdAt,
        policyId,
        policyVersion: 1,
        policyTitle: 'Safe Internet Use – Guidance for Staff',
        policySha256: 'a'.repeat(64),
        statement: 'I have read, understood and agree to follow this policy.',
        typedName: `Ada Lovelace ${i}`,
        ipAddress: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)',
        tokenId: `tok${i}`,
        messageId: `msg${i}`,
      },
    }),
  };
  return marshall({ pk: `ASSIGN#${id}`, sk: 'ASSIGNMENT', ...item }, { removeUndefinedValues: true });
}

/** The published version the reports name. */
export const BENCH_POLICY = {
  policyId: POLICY,
  version: 1,
  title: 'Safe Internet Use – Guidance for Staff',
  statement: 'I have read, understood and agree to follow this policy.',
  effectiveDate: '2026-09-01',
  keyPoints: [],
  body: '',
  sha256: 'a'.repeat(64),
  publishedAt: NOW.toISOString(),
};

/** An audit event: the bulk of a real table, never a policy's assignment. */
function audit(i: number) {
  return marshall({ pk: `ASSIGN#other${i}`, sk: `EVT#${NOW.toISOString()}#invited`, kind: 'invited' });
}

export async function run(): Promise<void> {
  const table = await startLocalTable();
  const { client } = table;
  const { store } = table;
  const clock = { now: () => NOW };
  const reporter = makeReport({ store, clock });

  /** The report as `attest report --status all --csv` makes it: every row, with its starter, as CSV. */
  const viaIndex = async () => {
    let bytes = 0;
    let header = true;
    const summary = await reporter.run(POLICY, { filter: 'all' }, (rows) => {
      bytes += csvOf(rows, { header }).length;
      header = false;
    });
    return { rows: summary.listed, bytes };
  };
  /** The baseline: the same rows found by scanning the table, their starters fetched alike. */
  const viaScan = async () => {
    let bytes = 0;
    let rows = 0;
    let start: Record<string, unknown> | undefined;
    let header = true;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: TABLE_NAME,
          FilterExpression: 'policyId = :policy AND sk = :assignment',
          ExpressionAttributeValues: marshall({ ':policy': POLICY, ':assignment': 'ASSIGNMENT' }),
          ExclusiveStartKey: start as never,
        }),
      );
      const found = (page.Items ?? []).map((raw) => unmarshall(raw) as Assignment);
      if (found.length) {
        const starters = await store.getStarters(found.map((a) => a.starterId));
        bytes += csvOf(
          found.map((a) => rowOf(a, starters.get(a.starterId), NOW)),
          { header },
        ).length;
        header = false;
        rows += found.length;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { rows, bytes };
  };

  console.log(`\nReport: every one of ${fmt(ASSIGNED)} assignments of a policy as CSV (dynalite, in memory)`);
  console.log(
    `  ${'rest of table'.padEnd(14)} ${'index: ms'.padStart(10)} ${'rows/s'.padStart(8)}   ${'Scan: ms'.padStart(10)} ${'rows/s'.padStart(8)}   ratio`,
  );
  const times: number[] = [];
  try {
    await putItems(
      client,
      Array.from({ length: ASSIGNED }, (_, i) => starter(i)),
    );
    // The policy's assignments, created over 30 days; the published policy the report names.
    await putItems(
      client,
      Array.from({ length: ASSIGNED }, (_, i) => assignment(i, POLICY)),
    );
    await store.putPolicyVersion(BENCH_POLICY);
    let populated = 0;
    for (const others of OTHERS) {
      const more = Array.from({ length: others - populated }, (_, j) => {
        const i = populated + j;
        return i % 2 ? audit(i) : assignment(i, 'data-protection');
      });
      await putItems(client, more);
      populated = others;

      const indexRuns: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        const { rows } = await viaIndex();
        indexRuns.push(performance.now() - start);
        if (rows !== ASSIGNED) throw new Error(`the report listed ${rows} of ${ASSIGNED}`);
      }
      const scanRuns: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        const { rows } = await viaScan();
        scanRuns.push(performance.now() - start);
        if (rows !== ASSIGNED) throw new Error(`the scan listed ${rows} of ${ASSIGNED}`);
      }
      const index = median(indexRuns);
      const scan = median(scanRuns);
      times.push(index);
      console.log(
        `  ${fmt(others).padEnd(14)} ${fmt(index).padStart(10)} ${fmt((ASSIGNED * 1000) / index).padStart(8)}   ${fmt(scan).padStart(10)} ${fmt((ASSIGNED * 1000) / scan).padStart(8)}   ${fmt(scan / index)}× faster`,
      );
    }
    console.log(
      `  report time as the rest of the table grew ${fmt((OTHERS[1] as number) / (OTHERS[0] as number))}×: ${fmt((times[1] as number) / (times[0] as number))}× (flat is 1×)`,
    );
  } finally {
    await table.stop();
  }
}
