// The run-time catalogue: a template's messages from the namespaces it names, in either language, escaped as HTML when asked.
import { describe, expect, it } from 'vitest';
import { trustedHtml } from '#shared/core/html.ts';
import { email } from '#templates/generated/messages/email.ts';
import { reminder } from '#templates/generated/messages/reminder.ts';
import { messagesOf } from '#templates/messages.ts';

describe('messagesOf', () => {
  it('says a message of the namespaces it was given, in each language, plurals by its rules', () => {
    // Prepare
    const { message, messagesIn } = messagesOf({ email, reminder });

    // Act
    const english = message('en', 'reminder.overdue', { days: 2 });
    const welsh = messagesIn('cy')('reminder.overdue', { days: 2 });
    const greeting = message('cy', 'email.greeting', { givenName: 'Siân' });

    // Assess
    expect(english).toBe('It is now 2 days overdue.');
    expect(welsh).toBe('Mae bellach 2 ddiwrnod yn hwyr.');
    expect(greeting).toContain('Siân');
  });

  it('escapes the values of a message as HTML, and places the markup given as it is', () => {
    // Prepare
    const { messageHtml } = messagesOf({ reminder });

    // Act
    const html = messageHtml(
      'en',
      'reminder.introFirst',
      { version: 3, when: '<b>soon</b>', ask: 'Tom & Jerry' },
      { title: trustedHtml('<strong>Safety</strong>') },
    );

    // Assess
    expect(html).toContain('<strong>Safety</strong> (version 3)');
    expect(html).toContain('&lt;b&gt;soon&lt;/b&gt; Tom &amp; Jerry');
  });

  it('knows no key of a namespace it was not given: a compile error, and no message', () => {
    // Prepare
    const { message } = messagesOf({ email });

    // Act
    // @ts-expect-error: `reminder` is not among the namespaces given.
    const say = () => message('en', 'reminder.dueToday');

    // Assess
    expect(say).toThrow(TypeError);
  });
});
