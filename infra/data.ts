// The single DynamoDB table and its sparse indexes (shared/adapters/dynamo/table-indexes.ts).
import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FunctionTableAccess } from '../functions/table-access.ts';
import { type IndexSpec, TABLE_INDEXES } from '../shared/adapters/dynamo/table-indexes.ts';

/** The due indexes this version replaced (new names, projecting keys and what their readers read). */
const REPLACED = TABLE_INDEXES.filter((index) => index.legacyName);

/** The steps of the upgrade from the due indexes that projected whole items: one index added or dropped each. */
export const DUE_INDEX_UPGRADE_STEPS = 2 * REPLACED.length - 1;

/**
 * The indexes a stack holds at `step` of the upgrade from the first due indexes (README,
 * "Upgrading the due indexes"): DynamoDB adds or drops one index per table update (and cannot
 * change one's projection), so a stack deployed with them reaches these in one change a deploy.
 * Steps 1…n add the new due indexes one at a time beside the old; steps n+1…2n-1 drop the old
 * ones one at a time; without a step, the indexes of this version (what step 2n would hold). The
 * functions read whichever of a lane's two indexes is there (lanes.ts, onLaneIndex).
 */
export function indexesAt(step?: number): IndexSpec[] {
  if (step === undefined) return [...TABLE_INDEXES];
  if (!Number.isInteger(step) || step < 1 || step > DUE_INDEX_UPGRADE_STEPS)
    throw new Error(
      `attest:dueIndexUpgrade must be a step from 1 to ${DUE_INDEX_UPGRADE_STEPS}, not ${step}`,
    );
  const n = REPLACED.length;
  const legacy = REPLACED.map(
    ({ legacyName, include: _, ...index }): IndexSpec => ({ ...index, name: legacyName as string }),
  );
  return [
    ...TABLE_INDEXES.filter((index) => !index.legacyName),
    ...(step <= n ? legacy : legacy.slice(step - n)),
    ...(step <= n ? REPLACED.slice(0, step) : REPLACED),
  ];
}

export class Data extends Construct {
  readonly table: TableV2;

  /** `dueIndexUpgrade`: the step of the due indexes' upgrade to deploy (context `attest:dueIndexUpgrade`); none, this version's. */
  constructor(scope: Construct, id: string, dueIndexUpgrade?: number) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      // Said outright (35 days is also DynamoDB's default): PRIVACY.md states how long a deleted or
      // erased item can still be restored, and a restore must have erasures replayed over it.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      timeToLiveAttribute: 'expiresAt',
      // Evidence of agreement must outlive the stack, and survive a mistaken delete in the console.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      // The sweeper acts on what it reads from the lanes' indexes, without a second read per item.
      globalSecondaryIndexes: indexesAt(dueIndexUpgrade).map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: {
          name: index.sortKey.name,
          type: index.sortKey.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING,
        },
        ...(index.include
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: index.include }
          : { projectionType: ProjectionType.ALL }),
      })),
    });
  }

  /**
   * Exactly the item actions `access` names, on this table alone (functions/table-access.ts derives
   * them from the Table methods a function's aggregates call); Query on the table's indexes only
   * when its aggregates query one; writes limited to a partition under that condition. No table
   * management, no Scan, no other table.
   */
  grantTableAccess(fn: IFunction, access: FunctionTableAccess): void {
    const { tableArn } = this.table;
    if (access.actions.length)
      fn.addToRolePolicy(new PolicyStatement({ actions: [...access.actions], resources: [tableArn] }));
    if (access.partitionWrites)
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: [...access.partitionWrites.actions],
          resources: [tableArn],
          // Every item written has a partition key (LeadingKeys is never empty for these actions).
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${access.partitionWrites.prefix}*`] },
          },
        }),
      );
    if (access.queriesIndex) {
      // Any of the table's indexes: a lane is read under its legacy index's name part way through
      // the upgrade that replaced them (lanes.ts, onLaneIndex).
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${tableArn}/index/*`] }),
      );
      this.acknowledgeIndexes(fn);
    }
  }

  private acknowledgeIndexes(fn: IFunction): void {
    const tableId = Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnElement);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
      reason:
        'The table’s own indexes (the sparse lanes and signers indexes); the grant names this one table.',
    });
  }
}
