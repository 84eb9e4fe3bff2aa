// `attest privacy`: answering a subject access request — everything attest holds about one person, as JSON and as a readable page.
import type { Command } from 'commander';
import { makeSubjectAccessExport } from '#shared/core/privacy/export.ts';
import { renderSubjectAccessHtml } from '#templates/privacy-export.ts';
import { type Shell, UsageError } from './cli.ts';
import { createFile } from './report.ts';

interface ExportOptions {
  employee: string;
  out?: string;
  html?: string;
}

export function addPrivacyCommands(program: Command, shell: Shell): void {
  const privacy = program
    .command('privacy')
    .description('Answer a subject access request: export everything attest holds about a person.');

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
