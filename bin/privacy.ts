// `attest privacy`: a subject access request answered (everything attest holds about one person, as JSON and a readable page), a person erased keeping the proof, who an erased record was proved, and the erasure log kept and replayed over a restored table.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ConfigError, ValidationError } from '#shared/core/errors.ts';
import type { ErasureEntry } from '#shared/core/model.ts';
import {
  type ErasureResult,
  makeErasePerson,
  makeProveErasure,
  makePseudonyms,
  makeReplayErasures,
} from '#shared/core/privacy/erase.ts';
import { makeSubjectAccessExport } from '#shared/core/privacy/export.ts';
import { LOOK_AT_ONCE } from '#shared/core/privacy/retention.ts';
import { renderSubjectAccessHtml } from '#templates/privacy-export.ts';
import { readTextFile, type Shell, UsageError } from './cli.ts';
import { createFile } from './report.ts';

interface ExportOptions {
  employee: string;
  out?: string;
  html?: string;
}

export function addPrivacyCommands(program: Command, shell: Shell): void {
  const privacy = program
    .command('privacy')
    .description(
      'Answer a subject access request, erase a person keeping the proof of their agreements, and keep the erasure log.',
    );

  privacy
    .command('export')
    .summary('Everything attest holds about one person, as JSON (and a readable HTML page).')
    .description(
      'Everything attest holds about one person, for a subject access request: their starter ' +
        'record, every assignment with its evidence, integrity check and audit trail, the emails ' +
        'sent, each LMS delivery with the payload sent, any SCIM user, and what is not included. ' +
        'JSON to stdout unless --out; files are readable only by you.',
    )
    .requiredOption('--employee <employee-id>', 'the HR employee id')
    .option('--out <file.json>', 'write the JSON to this file instead of stdout')
    .option('--html <file.html>', 'also write the readable summary, one self-contained page, to this file')
    .action((options: ExportOptions, command: Command) => exportCommand(shell, options, command));

  privacy
    .command('erase')
    .summary('Erase a person, keeping the proof of what they agreed to.')
    .description(
      "Replaces the person's names, email addresses, manager, location, job title, IP address and " +
        'browser in every record with keyed pseudonyms (HMAC with PSEUDONYM_KEY), keeping each ' +
        "agreement's policy, version, sha256, statement, times and evidence id; withdraws what they " +
        'have not signed, deletes their SCIM user, and logs the erasure (who, when, why). Refused, ' +
        'changing nothing, while an LMS delivery of theirs is in flight. Safe to run again.',
    )
    .requiredOption('--employee <employee-id>', 'the HR employee id')
    .requiredOption('--reason <text>', 'why (kept in the erasure log: must not name the person)')
    .option('--by <name>', 'who is erasing, for the log (default: your account on this machine)')
    .action((options: { employee: string; reason: string; by?: string }, command: Command) =>
      eraseCommand(shell, options, command),
    );

  privacy
    .command('prove')
    .summary('Show which erased record was a person, from their employee id or address and the key.')
    .description(
      'Computes the pseudonyms of the employee id or email address given under PSEUDONYM_KEY and ' +
        'finds the erased person they name: whoever holds the key and the original can show the ' +
        'pseudonymised agreement was theirs. Exit 1 when none matches.',
    )
    .option('--employee <employee-id>', 'the employee id they had')
    .option('--email <address>', 'the email address they had')
    .action((options: { employee?: string; email?: string }, command: Command) =>
      proveCommand(shell, options, command),
    );

  privacy
    .command('erasures')
    .summary('The erasure log as JSON: keep a copy outside the table, to replay after a restore.')
    .description(
      "Every erasure logged (the person's pseudonymous starter id and pseudonym, when, who, why), " +
        'oldest first, as JSON. A table restored from a backup comes back as it was then: keep this ' +
        'log outside the table and replay it over the restore (`attest privacy replay --file`).',
    )
    .option('--out <file.json>', 'write it to this file instead of stdout')
    .action((options: { out?: string }, command: Command) => erasuresCommand(shell, options, command));

  privacy
    .command('replay')
    .summary('Erase again everyone in the erasure log whom a restore brought back.')
    .description(
      "For a table restored from a backup: each erasure in the log (the table's own, and with " +
        '--file a copy kept from before the restore) whose person the restore brought back is done ' +
        'again as it was, keeping its entry. Safe to run again; run it before the table is used.',
    )
    .option('--file <erasures.json>', 'the log written by `attest privacy erasures` before the restore')
    .action((options: { file?: string }, command: Command) => replayCommand(shell, options, command));
}

/** Who erased, for the log: as given, else this machine's account (never an empty name). */
function operator(by: string | undefined, command: Command): string {
  if (by !== undefined) {
    const name = by.trim();
    if (!name || /[\p{Cc}\p{Cf}]/u.test(name) || name.length > 200) {
      throw new UsageError('--by needs a name of up to 200 visible characters', command);
    }
    return name;
  }
  try {
    return `${userInfo().username} (account)`;
  } catch {
    return 'operator';
  }
}

async function pseudonymsOf(shell: Shell) {
  if (!shell.deps.pseudonymKey) throw new ConfigError('set PSEUDONYM_KEY or PSEUDONYM_KEY_SECRET_ARN');
  const key = await shell.deps.pseudonymKey();
  if (key.length < 32) throw new ConfigError('PSEUDONYM_KEY must be at least 32 characters');
  return makePseudonyms(key);
}

async function eraseCommand(
  shell: Shell,
  options: { employee: string; reason: string; by?: string },
  command: Command,
): Promise<void> {
  const { deps, io, clock } = shell;
  if (!options.employee.trim()) throw new UsageError('--employee needs an employee id', command);
  const by = operator(options.by, command);
  const erase = makeErasePerson({
    store: deps.store,
    clock,
    pseudonyms: await pseudonymsOf(shell),
    retention: deps.retention ?? LOOK_AT_ONCE,
  });
  let result: ErasureResult;
  try {
    result = await erase(options.employee, { by, reason: options.reason });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new UsageError(`--reason: ${error.issues.map((i) => i.message).join(' ')}`, command);
    throw error;
  }
  io.out(eraseSummary(options.employee, result));
}

/** What an erasure did, in a few lines: who they are now, what changed, what was kept, how to see it. */
export function eraseSummary(employeeId: string, result: ErasureResult): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const head =
    result.starter === 'erased'
      ? `Erased ${employeeId}: now ${result.pseudonym}.`
      : `${employeeId} was erased before (${result.entry.at}, by ${result.entry.by}), as ${result.pseudonym}; checked again.`;
  return [
    head,
    `  Assignments: ${result.assignments.erased} erased now, ${result.assignments.before} before; ${n(result.withdrawn, 'unsigned ask')} withdrawn.`,
    `  Audit reasons replaced: ${result.auditEvents}. SCIM users deleted: ${result.scimUsers}. Dead LMS deliveries taken off replay: ${result.deadLetters}.`,
    "  Kept: each agreement's policy, version, sha256, statement, times and evidence id (the integrity check still holds).",
    `  Logged: ${result.entry.at}, by ${result.entry.by}, reason "${result.entry.reason}".`,
    `  See it: attest evidence --employee ${result.pseudonym} --policy <policy-id>`,
  ].join('\n');
}

async function proveCommand(
  shell: Shell,
  options: { employee?: string; email?: string },
  command: Command,
): Promise<void> {
  const { deps, io } = shell;
  if (options.employee === undefined && options.email === undefined) {
    throw new UsageError('prove needs --employee <id> or --email <address> (or both)', command);
  }
  if (options.employee?.trim() === '' || options.email?.trim() === '') {
    throw new UsageError('--employee and --email need a value', command);
  }
  const found = await makeProveErasure({ store: deps.store, pseudonyms: await pseudonymsOf(shell) })({
    ...(options.employee !== undefined && { employeeId: options.employee }),
    ...(options.email !== undefined && { email: options.email }),
  });
  const given = [options.employee, options.email].filter(Boolean).join(' and ');
  if (!found.length) {
    io.err(`attest: no erased person has ${given} under this PSEUDONYM_KEY.`);
    return shell.failed();
  }
  for (const person of found) {
    const when = person.entry ? ` on ${person.entry.at} by ${person.entry.by}` : '';
    io.out(
      `${given} is ${person.pseudonym} (erased${when}): ${person.assignmentIds.length} assignment(s), e.g. attest evidence ${person.assignmentIds[0] ?? ''}`.trim(),
    );
  }
}

async function erasuresCommand(shell: Shell, options: { out?: string }, command: Command): Promise<void> {
  const { deps, io } = shell;
  if (options.out === '') throw new UsageError('--out needs a file name, e.g. --out erasures.json', command);
  const json = `${JSON.stringify(await deps.store.erasureLog(), null, 2)}\n`;
  if (options.out === undefined) return io.out(json.replace(/\n$/, ''));
  const file = (deps.createFile ?? createFile)(options.out);
  file.write(json);
  file.close();
  io.out(`Wrote the erasure log to ${options.out}.`);
}

async function replayCommand(shell: Shell, options: { file?: string }, command: Command): Promise<void> {
  const { deps, io, clock } = shell;
  const entries = new Map<string, ErasureEntry>();
  if (options.file !== undefined) {
    if (!options.file) throw new UsageError('--file needs a file name', command);
    for (const entry of parseErasureLog((deps.readFile ?? readTextFile)(options.file), options.file)) {
      entries.set(entry.starterId, entry);
    }
  }
  for (const entry of await deps.store.erasureLog())
    if (!entries.has(entry.starterId)) entries.set(entry.starterId, entry);
  const replay = makeReplayErasures({
    store: deps.store,
    clock,
    pseudonyms: await pseudonymsOf(shell),
    retention: deps.retention ?? LOOK_AT_ONCE,
  });
  const done = await replay([...entries.values()].sort((a, b) => a.at.localeCompare(b.at)));
  const count = (outcome: string) => done.filter((d) => d.outcome === outcome).length;
  io.out(
    `Replayed ${done.length} erasure(s): ${count('erased')} erased again, ${count('erased-before')} still erased, ${count('missing')} not in this table.`,
  );
}

/** A log as `attest privacy erasures` writes it; anything else is refused, naming the file. */
export function parseErasureLog(text: string, path: string): ErasureEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON: write it with \`attest privacy erasures --out ${path}\``);
  }
  const fields = ['starterId', 'pseudonym', 'at', 'by', 'reason'] as const;
  if (
    !Array.isArray(parsed) ||
    !parsed.every(
      (e) =>
        e &&
        typeof e === 'object' &&
        fields.every((f) => typeof (e as Record<string, unknown>)[f] === 'string'),
    )
  ) {
    throw new UsageError(`${path} is not an erasure log: a list of entries with ${fields.join(', ')}`);
  }
  return parsed.map(
    (e) =>
      Object.fromEntries(fields.map((f) => [f, (e as Record<string, string>)[f]])) as unknown as ErasureEntry,
  );
}

async function exportCommand(shell: Shell, options: ExportOptions, command: Command): Promise<void> {
  const { deps, io, clock } = shell;
  if (!options.employee.trim()) throw new UsageError('--employee needs an employee id', command);
  if (options.out === '') throw new UsageError('--out needs a file name, e.g. --out export.json', command);
  if (options.html === '') throw new UsageError('--html needs a file name, e.g. --html export.html', command);
  if (options.out !== undefined && options.out === options.html) {
    throw new UsageError('--out and --html must name different files', command);
  }
  const data = await makeSubjectAccessExport({
    store: deps.store,
    clock,
    version: deps.version ?? 'unknown',
    ...(deps.lms?.payloads && { payloads: await deps.lms.payloads() }),
  })(options.employee);
  const json = `${JSON.stringify(data, null, 2)}\n`;
  const files = [
    ...(options.out !== undefined ? [{ path: options.out, text: () => json }] : []),
    ...(options.html !== undefined
      ? [{ path: options.html, text: () => renderSubjectAccessHtml(data) }]
      : []),
  ];
  // The export is whole before any file is opened; a write failing part way removes every file
  // written, so no partial copy of a person's data is left behind.
  const written: Array<{ path: string; remove(): void }> = [];
  try {
    for (const { path, text } of files) {
      const file = (deps.createFile ?? createFile)(path);
      written.push({ path, remove: file.remove });
      file.write(text());
      file.close();
    }
  } catch (error) {
    for (const file of written) {
      try {
        file.remove();
        io.err(`attest: removed ${file.path}: the export did not finish.`);
      } catch {
        io.err(`attest: could not remove ${file.path}: delete it, it may hold part of the export.`);
      }
    }
    throw error;
  }
  // Without --out the JSON is the answer, alone on stdout so it can be piped.
  if (options.out === undefined) return io.out(json.replace(/\n$/, ''));
  for (const { path } of files) io.out(`Wrote the subject access export of ${options.employee} to ${path}.`);
}
