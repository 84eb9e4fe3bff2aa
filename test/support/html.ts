// HTML validation for rendered output, with html-validate's recommended rules.
import { HtmlValidate } from 'html-validate';

const pages = new HtmlValidate({ extends: ['html-validate:recommended'] });

// MJML's output is table-based email HTML: the rules below flag what email clients need, and
// only those (each is triggered by MJML's output; everything else must pass).
const emails = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    'no-conditional-comment': 'off', // Outlook needs <!--[if mso]> blocks
    'no-inline-style': 'off', // many clients drop <style>, so MJML inlines
    'no-deprecated-attr': 'off', // align, bgcolor, cellpadding: what email clients honour
    'prefer-native-element': 'off', // role="presentation" on layout tables
    'no-trailing-whitespace': 'off', // MJML's formatting, invisible to readers
    'doctype-style': 'off', // MJML's own doctype
    'void-style': 'off', // MJML's <meta ... /> style
  },
});

async function problems(validator: HtmlValidate, html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
}

export const pageProblems = (html: string) => problems(pages, html);
export const emailProblems = (html: string) => problems(emails, html);
