// The compiled-template engine: fixed parts, escaped values, checked URLs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import { compileSlots, fillText } from '#shared/core/template.ts';

describe('escapeHtml', () => {
  it('leaves no character that could open markup or close an attribute', () => {
    // Assess
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(escapeHtml(s)).not.toMatch(/[<>"']/);
      }),
    );
  });

  it('round-trips through an HTML decoder', () => {
    // Prepare
    const decode = (s: string) =>
      s
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');

    // Assess
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(decode(escapeHtml(s))).toBe(s);
      }),
    );
  });
});

describe('compileSlots', () => {
  const render = compileSlots('<p>{{name}}</p><a href="{{link}}">x</a>{{list}}', {
    name: 'text',
    link: 'url',
    list: 'html',
  });

  it('fills escaped values into the fixed parts', () => {
    // Act
    const html = render({
      name: '<script>"x"</script>',
      link: 'https://e.org/a?b=1&c=2',
      list: trustedHtml('<li>ok</li>'),
    });

    // Assess
    expect(html).toBe(
      '<p>&lt;script&gt;&quot;x&quot;&lt;/script&gt;</p><a href="https://e.org/a?b=1&amp;c=2">x</a><li>ok</li>',
    );
  });

  it('never lets a text value change the markup', () => {
    // Assess
    fc.assert(
      fc.property(fc.string(), (s) => {
        const html = render({ name: s, link: 'https://e.org/', list: trustedHtml('') });
        expect(html).toBe(`<p>${escapeHtml(s)}</p><a href="https://e.org/">x</a>`);
        expect(html.match(/</g)).toHaveLength(4);
      }),
    );
  });

  it('refuses a link that is not https or the local stack', () => {
    // Assess
    for (const link of ['javascript:alert(1)', 'http://evil.example/', 'data:text/html,x', 'https://a b']) {
      expect(() => render({ name: 'a', link, list: trustedHtml('') })).toThrow(/https/);
    }
    expect(() =>
      render({ name: 'a', link: 'http://127.0.0.1:3000/ack/x', list: trustedHtml('') }),
    ).not.toThrow();
  });

  it('fails at compile time on an unknown or a missing slot', () => {
    // Assess
    expect(() => compileSlots('{{nope}}', {})).toThrow(/unknown slot/);
    expect(() => compileSlots('no slots', { name: 'text' })).toThrow(/lacks the slot/);
  });
});

describe('fillText', () => {
  it('puts each named value in its place, as it is, and leaves unknown names', () => {
    // Assess
    expect(fillText('{a} and {b}, {a} again; {c}', { a: '<x>', b: '$&' })).toBe('<x> and $&, <x> again; {c}');
  });
});
