// Runs each of the Store's contracts against the fake the core's unit tests trust and the DynamoDB adapter on dynalite, from the source and as bundled for Lambda.
import { describe } from 'vitest';
import { bundledAdapters } from '../support/bundled.ts';
import { FakeStore } from '../support/fakes.ts';
import { describeAssignmentsContract } from './assignments.ts';
import { describeAuditTrailContract } from './audit-trail.ts';
import { describeDeliveriesContract } from './deliveries.ts';
import { describeDigestsContract } from './digests.ts';
import { describeDueWorkContract } from './due-work.ts';
import { describeErasuresContract } from './erasures.ts';
import { describeEventReceiptsContract } from './event-receipts.ts';
import { describeMailWorkContract } from './mail-work.ts';
import { describePoliciesContract } from './policies.ts';
import { describeRetentionContract } from './retention.ts';
import { describeScimUsersContract } from './scim-users.ts';
import { describeStartersContract } from './starters.ts';
import { dynaliteTables } from './support.ts';

const contracts = [
  describeEventReceiptsContract,
  describeStartersContract,
  describeAssignmentsContract,
  describeMailWorkContract,
  describeDigestsContract,
  describeDeliveriesContract,
  describeDueWorkContract,
  describePoliciesContract,
  describeRetentionContract,
  describeAuditTrailContract,
  describeScimUsersContract,
  describeErasuresContract,
];

describe('Store contract', () => {
  const dynalite = dynaliteTables('contract');
  // The store as a function's bundle carries it (infra/bundle.ts: the SDK's schemas rewritten by its
  // plugin, its event streams left out): every DynamoDB call the functions make, bundled.
  const bundled = dynaliteTables('contract-bundled', bundledAdapters);
  for (const describeContract of contracts) {
    describeContract('FakeStore', async () => new FakeStore());
    describeContract('makeDynamoStore on dynalite', dynalite.store);
    describeContract('makeDynamoStore as bundled for Lambda, on dynalite', bundled.store);
  }
});
