// Use case: import starters given as rows (a CSV file, or one from the command line) through the ingest use case, counting what each row did.
import { createHash } from 'node:crypto';
import type { Erasures, EventReceipts, Starters } from '../ports.ts';
import { erasedMessage } from './errors.ts';
import { starterIdFor } from './ids.ts';
import type { IngestResult } from './ingest.ts';
import { STARTER_ATTRIBUTES, type Starter } from './model.ts';
import { type StarterRow, starterEventFromCells } from './sources/csv.ts';
import type { StarterData, StarterEvent, starterEventSchema } from './starter-event.ts';

/** A bad cell of a row: the row's first line, the column, and what is wrong. */
export interface RowProblem {
  line: number;
  field: string;
  message: string;
}

export interface ImportSummary {
  /** Rows whose starter did not exist. */
  created: number;
  /** Rows that changed an existing starter's details (or brought a cancelled one back). */
  updated: number;
  /** Rows already imported, or matching the starter's details as they are. */
  unchanged: number;
  /** Rows refused: nothing of them was imported. */
  rejected: number;
  /** Each bad cell of each rejected row, in line order. */
  problems: RowProblem[];
}

/** Reading a starter and an event's receipt tells created, updated and unchanged apart. */
export type ImportStore = Pick<Starters, 'getStarter'> &
  Pick<EventReceipts, 'getEventReceipt'> &
  Pick<Erasures, 'getErasure'>;

/** How many rows are ingested at once: each a handful of single-item writes, none waiting on another. */
export const IMPORT_CONCURRENCY = 8;

export interface ImportDeps {
  store: ImportStore;
  /** The ingest use case, made with the same `source`: the only path by which a row is written. */
  ingest: (event: StarterEvent) => Promise<IngestResult>;
  schema: ReturnType<typeof starterEventSchema>;
  source: string;
  /** Rows ingested at once (IMPORT_CONCURRENCY unless a test says). */
  concurrency?: number;
}

export interface ImportOptions {
  /** Validate and count, writing nothing. */
  dryRun?: boolean;
  /** Told after each valid row is done (a progress bar). */
  progress?: (done: number, total: number) => void;
}

/**
 * Imports starters.
 * 1. Validate every row first (by the webhook's own schema, see sources/csv.ts); a row with a bad
 *    cell, a cell no column names, or an employee id an earlier row of the same import already
 *    has, is rejected whole.
 * 2. For each good row, in order: a row whose event (id derived from its content) has a receipt,
 *    or whose starter already has exactly its details and is active, is unchanged; one whose
 *    starter does not exist is created; any other updates its starter. A row for a starter
 *    cancelled since brings them back (an update): its event id also names the cancellation, so the
 *    receipt of the same row imported before them leaving does not answer it.
 * 3. Unless a dry run, hand each good row's event to ingest, IMPORT_CONCURRENCY rows at a time — also an unchanged one without a
 *    receipt, so an import interrupted part way finishes (ingest converges; no work is redone).
 * Keeps ingest's invariants: it writes through ingest alone, and the same file imported again is
 * the same events, so it creates nothing new.
 */
export function makeImportStarters(deps: ImportDeps) {
  const { store, schema, source } = deps;

  return async function importStarters(
    rows: StarterRow[],
    options: ImportOptions = {},
  ): Promise<ImportSummary> {
    const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, rejected: 0, problems: [] };
    const good: Array<{ line: number; event: Extract<StarterEvent, { type: 'starter.created' }> }> = [];
    const firstLineOf = new Map<string, number>();
    for (const row of rows) {
      const mapped: ReturnType<typeof starterEventFromCells> = row.overflow
        ? { issues: [{ field: '(row)', message: 'Has more cells than the header has columns.' }] }
        : starterEventFromCells(schema, row.cells, source);
      let issues = 'issues' in mapped ? mapped.issues : [];
      if ('event' in mapped && mapped.event.type === 'starter.created') {
        const { employeeId } = mapped.event.data;
        const earlier = firstLineOf.get(employeeId);
        if (earlier === undefined) {
          firstLineOf.set(employeeId, row.line);
          good.push({ line: row.line, event: mapped.event });
        } else issues = [{ field: 'employeeId', message: `Also on line ${earlier}: one row per starter.` }];
      }
      if (issues.length) {
        summary.rejected++;
        for (const issue of issues) summary.problems.push({ line: row.line, ...issue });
      }
    }

    // Rows are independent (one per starter, checked above): several are ingested at once.
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < good.length) {
        const row = good[next++] as (typeof good)[number];
        const existing = await store.getStarter(starterIdFor(row.event.data.employeeId));
        const erased = existing
          ? existing.erased
          : await store.getErasure(starterIdFor(row.event.data.employeeId));
        if (erased) {
          // Their data was erased on request: a file (an old export, say) must not bring it back.
          summary.rejected++;
          summary.problems.push({
            line: row.line,
            field: 'employeeId',
            message: erasedMessage(erased),
          });
          options.progress?.(++done, good.length);
          continue;
        }
        // A row for a starter cancelled since is their return: an event of its own, not the one answered before.
        const event =
          existing?.status === 'cancelled'
            ? {
                ...row.event,
                id: `${row.event.id}_back_${createHash('sha256').update(existing.updatedAt).digest('hex').slice(0, 8)}`,
              }
            : row.event;
        const answered = await store.getEventReceipt(source, event.id);
        if (answered || (existing && isAlready(existing, event.data))) summary.unchanged++;
        else if (existing) summary.updated++;
        else summary.created++;
        if (!options.dryRun && !answered) await deps.ingest(event);
        options.progress?.(++done, good.length);
      }
    };
    const width = Math.max(1, Math.min(deps.concurrency ?? IMPORT_CONCURRENCY, good.length));
    await Promise.all(Array.from({ length: width }, worker));
    return summary;
  };
}

/** Whether an active starter already has every detail `data` gives (policies left out keep theirs). */
function isAlready(starter: Starter, data: StarterData): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return (
    starter.status === 'active' &&
    starter.givenName === data.givenName &&
    starter.familyName === data.familyName &&
    starter.email === data.email &&
    starter.startDate === data.startDate &&
    starter.locale === data.locale &&
    starter.timeZone === data.timeZone &&
    STARTER_ATTRIBUTES.every((key) => same(starter[key], data[key])) &&
    same(
      starter.manager && [starter.manager.name, starter.manager.email],
      data.manager && [data.manager.name, data.manager.email],
    ) &&
    (data.policies === undefined || same(starter.policies, data.policies))
  );
}
