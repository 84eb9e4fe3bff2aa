// `attest evidence`: the evidence of an agreement as JSON, or the exact text that was shown (for `| sha256sum`), or its PDF certificate made again.
import type { Command } from 'commander';
import type { Certificate } from '#shared/core/certificate.ts';
import { NotFoundError } from '#shared/core/errors.ts';
import { type EvidenceReport, makeEvidenceReport, makeFindAssignments } from '#shared/core/evidence.ts';
import { findErased, PSEUDONYM_PREFIX } from '#shared/core/privacy/erase.ts';
import { type Shell, UsageError } from './cli.ts';
import { createFile } from './report.ts';

/**
 * The certificate of a report's agreement made again from the evidence and the settings recorded
 * with the one sent; null when none was sent. The PDF library loads only when one is made.
 */
async function remadeCertificate(report: EvidenceReport): Promise<Certificate | null> {
  if (!report.evidence || !report.certificate) return null;
  const [{ makeCertificate }, { certificateFont }] = await Promise.all([
    import('#shared/core/certificate.ts'),
    import('#shared/adapters/certificate-font.ts'),
  ]);
  return makeCertificate(
    {
      assignmentId: report.assignmentId,
      evidence: report.evidence,
      organisationName: report.certificate.organisationName,
      timeZone: report.certificate.timeZone,
    },
    await certificateFont(),
  );
}

export function addEvidenceCommand(program: Command, shell: Shell): void {
  const { deps, io } = shell;

  /** An erased person's assignments of a policy, found by the pseudonym evidence shows them as. */
  async function erasedAssignments(pseudonym: string, policyId: string): Promise<string[]> {
    const person = await findErased(deps.store, pseudonym);
    if (!person) throw new NotFoundError('starter.not_found', `No erased person ${pseudonym}.`);
    const found = await deps.store.getAssignments(person.assignmentIds);
    const ids = [...found.values()].filter((a) => a.policyId === policyId).map((a) => a.assignmentId);
    if (!ids.length)
      throw new NotFoundError('assignment.not_found', `${pseudonym} has no ${policyId} assignment.`);
    return ids;
  }

  program
    .command('evidence')
    .summary('The evidence of an agreement: who agreed to what, when and how.')
    .usage(
      '<assignment-id> [--text | --pdf <file>] | --employee <employee-id> --policy <policy-id> [--text | --pdf <file>]',
    )
    .description(
      'The evidence of an agreement as JSON: who, what (version and sha256, checked against the ' +
        'stored text), when, how (IP, user agent, token, email), the certificate the receipt ' +
        'carried (its sha256, and whether one made again is identical), and the audit trail.',
    )
    .argument('[assignment-id]', 'the assignment')
    .option(
      '--employee <employee-id>',
      "instead of the assignment: the employee's (or an erased person's pseudonym), with --policy",
    )
    .option('--policy <policy-id>', 'the policy, with --employee: every version they were asked to sign')
    .option('--text', 'print the exact text that was shown instead')
    .option(
      '--pdf <file>',
      'also write the PDF certificate the receipt carried, made again from the evidence (the newest signed version with --employee)',
    )
    .action(
      async (
        assignmentId: string | undefined,
        options: { employee?: string; policy?: string; text?: boolean; pdf?: string },
        command: Command,
      ) => {
        if (options.text && options.pdf !== undefined) {
          throw new UsageError('--text and --pdf: choose one', command);
        }
        if (options.pdf === '')
          throw new UsageError('--pdf needs a file name, e.g. --pdf agreement.pdf', command);
        let ids: string[];
        if (assignmentId) ids = [assignmentId];
        else if (options.employee?.startsWith(PSEUDONYM_PREFIX) && options.policy) {
          ids = await erasedAssignments(options.employee, options.policy);
        } else if (options.employee && options.policy) {
          ids = await makeFindAssignments({ store: deps.store })(options.employee, options.policy);
        } else {
          throw new UsageError(
            'evidence needs an assignment id, or --employee <id> and --policy <id>',
            command,
          );
        }
        const reporter = makeEvidenceReport(deps.store);
        let newest: { report: EvidenceReport; pdf: Certificate } | undefined;
        for (const id of ids) {
          const { report, text } = await reporter.report(id);
          // io.out ends the line: the text's own final newline is dropped, so the bytes printed are
          // exactly the canonical text and `… --text | sha256sum` gives the evidence's sha256.
          if (options.text) {
            io.out(text.replace(/\n$/, ''));
            continue;
          }
          const pdf = await remadeCertificate(report);
          if (pdf) newest = { report, pdf };
          const certificate = report.certificate && {
            ...report.certificate,
            // Erased evidence holds pseudonyms: made again, it names them, and so differs.
            remadeSha256: pdf?.sha256 ?? null,
            matches: pdf?.sha256 === report.certificate.sha256,
          };
          io.out(JSON.stringify({ ...report, certificate }, null, 2));
        }
        if (options.pdf === undefined) return;
        if (!newest) {
          throw new NotFoundError(
            'certificate.not_found',
            'No certificate was sent for this agreement: it is not signed, its receipt has not gone yet, or it went before receipts carried one.',
          );
        }
        // Its own file, readable only by its owner: the certificate names the person. The JSON
        // printed says whether it is identical to the one sent (certificate.matches).
        const file = createFile(options.pdf);
        try {
          file.write(newest.pdf.bytes);
        } finally {
          file.close();
        }
      },
    );
}
