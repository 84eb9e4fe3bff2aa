// Compiled templates: markup with `{{slot}}` markers split once into static parts, filled with escaped values.
import { escapeHtml, type SafeHtml } from './html.ts';

const MARKER = /\{\{([a-zA-Z][a-zA-Z0-9]*)\}\}/g;
/** Links must be https, or plain http to this machine for the local stack. */
const SAFE_URL = /^(https:\/\/[^\s"'<>]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/[^\s"'<>]*)?)$/;

export type SlotKind = 'text' | 'url' | 'html';
export type SlotValues<S extends Record<string, SlotKind>> = {
  [K in keyof S]: S[K] extends 'html' ? SafeHtml : string;
};

/**
 * Splits `markup` at its `{{name}}` markers once and returns a render function that joins the
 * static parts with the values: text escaped, URLs checked and escaped, html slots taking only
 * SafeHtml built by the template's own code. Fails at compile time on an unknown or missing slot.
 */
export function compileSlots<S extends Record<string, SlotKind>>(markup: string, slots: S) {
  const parts: string[] = [];
  const names: Array<keyof S & string> = [];
  let last = 0;
  for (const match of markup.matchAll(MARKER)) {
    const name = match[1] as string;
    if (!(name in slots)) throw new Error(`template has an unknown slot {{${name}}}`);
    parts.push(markup.slice(last, match.index));
    names.push(name);
    last = (match.index as number) + match[0].length;
  }
  parts.push(markup.slice(last));
  for (const name of Object.keys(slots)) {
    if (!names.includes(name)) throw new Error(`template lacks the slot {{${name}}}`);
  }

  return function render(values: SlotValues<S>): string {
    let out = parts[0] as string;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as keyof S & string;
      const value = values[name] as string;
      const kind = slots[name];
      if (kind === 'url' && !SAFE_URL.test(value)) throw new Error(`slot {{${name}}} needs an https URL`);
      out += (kind === 'html' ? value : escapeHtml(value)) + (parts[i + 1] as string);
    }
    return out;
  };
}

/** `template` with each `{name}` replaced by its value (unknown names left as they are): plain text, nothing escaped. */
export function fillText(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
