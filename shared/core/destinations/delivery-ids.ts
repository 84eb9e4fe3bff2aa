// What each LMS destination's delivery of an agreement is called and the id it goes under: all that recording an agreement needs of the destinations, apart from their modules (their settings, channels and tests stay out of the functions that only owe deliveries).
import { v5 as uuidv5 } from 'uuid';
import type { DeliveryKind, OwedDeliveries } from '../model.ts';
import type { DestinationName } from './names.ts';

/** How a destination's delivery is named and identified, fixed for ever by the agreement's evidence id. */
export interface DeliveryIdentity {
  /** What it delivers, for the reader: "signed webhook", "xAPI statement". */
  title: string;
  /** The name of the id the receiver de-duplicates on, as stored with the delivery and audited. */
  idField: string;
  /** That id for an agreement, fixed for ever by its evidence id, so every retry and replay sends the same. */
  idFor(evidenceId: string): string;
}

/** Fixed for ever: changing it would give every acknowledgement a second statement id. */
const STATEMENT_NAMESPACE = '3d3c52a4-6f0e-4f38-9a57-2b1f7d8e6c15';

/** The xAPI statement's id: a UUID v5 of the evidence id, so every retry (and replay) PUTs the same statement. */
export function statementIdFor(evidenceId: string): string {
  return uuidv5(evidenceId, STATEMENT_NAMESPACE);
}

/** Each destination's identity, which its module (registry.ts) declares itself with. */
export const deliveryIds = {
  webhook: {
    title: 'signed webhook',
    idField: 'webhookId',
    // The evidence id's random part under Standard Webhooks' `msg_` prefix.
    idFor: (evidenceId) => `msg_${evidenceId.slice(3)}`,
  },
  xapi: { title: 'xAPI statement', idField: 'statementId', idFor: statementIdFor },
  moodle: {
    title: 'Moodle activity completion',
    idField: 'completionId',
    // Moodle keeps no id of ours: this names the delivery in the audit trail, fixed by the evidence.
    idFor: (evidenceId) => `moodle_${evidenceId.slice(3)}`,
  },
} satisfies Record<DestinationName, DeliveryIdentity>;

/** The ids each destination's delivery of an agreement goes under, fixed for ever by its evidence id. */
export function owedDeliveries(evidenceId: string, kinds: readonly DeliveryKind[]): OwedDeliveries {
  const owed: OwedDeliveries = {};
  for (const kind of kinds) {
    const { idField, idFor } = deliveryIds[kind];
    owed[kind] = { [idField]: idFor(evidenceId) };
  }
  return owed;
}
