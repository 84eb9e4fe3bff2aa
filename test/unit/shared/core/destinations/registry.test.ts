// The destination registry: every module is well-formed, so what is derived from it (settings, lanes, parameters, secrets) holds for each.
import { describe, expect, it } from 'vitest';
import { deliveryIds } from '#shared/core/destinations/delivery-ids.ts';
import type { LmsDestination } from '#shared/core/destinations/destination.ts';
import { DESTINATION_NAMES, isDestinationName, modeChoices } from '#shared/core/destinations/names.ts';
import { destinations } from '#shared/core/destinations/registry.ts';

/** Each destination, typed as the interface every module implements. */
const entries: Array<[string, LmsDestination]> = Object.entries(destinations);

describe('the destination registry', () => {
  it('lists exactly the names the model gives the lanes, in their order', () => {
    // Assess
    expect(Object.keys(destinations)).toEqual([...DESTINATION_NAMES]);
  });

  it('declares each destination with its entry of the delivery ids, listed under the same names', () => {
    // Assess
    expect(Object.keys(deliveryIds)).toEqual([...DESTINATION_NAMES]);
    for (const name of DESTINATION_NAMES) {
      const { title, idField, idFor } = destinations[name];
      expect({ title, idField, idFor }).toEqual(deliveryIds[name]);
    }
  });

  it.each(entries)(
    '%s: each deploy parameter feeds a setting the destination reads',
    (_name, destination) => {
      // Prepare
      const settings = Object.keys(destination.settings.shape);

      // Assess
      for (const parameter of destination.parameters) expect(settings).toContain(parameter.setting);
    },
  );

  it.each(entries)(
    '%s: its secrets are not settings, and every secret and parameter id is its own',
    (_name, destination) => {
      // Prepare
      const settings = Object.keys(destination.settings.shape);
      const ids = entries.flatMap(([, d]) => [
        ...d.secrets.map((s) => s.id),
        ...d.parameters.map((p) => p.id),
      ]);

      // Assess
      for (const secret of destination.secrets) {
        expect(settings).not.toContain(secret.name);
        expect(ids.filter((id) => id === secret.id)).toHaveLength(1);
      }
      for (const parameter of destination.parameters)
        expect(ids.filter((id) => id === parameter.id)).toHaveLength(1);
    },
  );

  it.each(entries)(
    '%s: derives the same id from an evidence id every time, and another from another',
    (_name, destination) => {
      // Act
      const first = destination.idFor('ev_AAAAAAAAAAAAAAAAAAAAAA');
      const again = destination.idFor('ev_AAAAAAAAAAAAAAAAAAAAAA');
      const other = destination.idFor('ev_BBBBBBBBBBBBBBBBBBBBBB');

      // Assess
      expect(again).toBe(first);
      expect(other).not.toBe(first);
    },
  );

  it.each(entries)('%s: names what it cannot go without when nothing is set', (_name, destination) => {
    // Act
    const missing = destination.missing(destination.settings.parse({}));

    // Assess
    expect(missing.length).toBeGreaterThan(0);
    for (const { setting } of missing) expect(Object.keys(destination.settings.shape)).toContain(setting);
  });
});

describe('destination names', () => {
  it('tells a destination name from anything else', () => {
    // Assess
    expect(DESTINATION_NAMES.every(isDestinationName)).toBe(true);
    expect(['lms', 'Webhook', 'canvas', ''].some(isDestinationName)).toBe(false);
  });

  it.each([
    [['webhook'], 'webhook'],
    [['webhook', 'xapi'], 'webhook, xapi or webhook,xapi'],
    [['webhook', 'xapi', 'moodle'], 'one or more of webhook, xapi, moodle, comma-separated'],
  ])('words the choices of LMS_MODE among %j as %j', (names, words) => {
    // Assess
    expect(modeChoices(names)).toBe(words);
  });
});
