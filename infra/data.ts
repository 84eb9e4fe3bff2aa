// The single DynamoDB table and its sparse indexes (shared/adapters/dynamo/table-schema.ts).
import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { key } from '../shared/adapters/dynamo/table.ts';
import { TABLE_INDEXES } from '../shared/adapters/dynamo/table-schema.ts';

export class Data extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
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
      globalSecondaryIndexes: TABLE_INDEXES.map((index) => ({
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

  /** Item reads and writes on this table and its index; no table management, no other table. */
  grantReadWriteData(fn: IFunction): void {
    this.table.grantReadWriteData(fn);
    this.acknowledgeIndexes(fn);
  }

  /**
   * Reads anywhere in the table; writes only what an operator's action on an assignment makes: a
   * conditional update of the assignment item (resend, cancel, replay) and a put of its audit event,
   * both in the assignment's own partition (`ASSIGN#…`). No delete, no batch or transactional write.
   */
  grantReadAndAssignmentWrites(fn: IFunction): void {
    this.table.grantReadData(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
        resources: [this.table.tableArn],
        // Every item written has a partition key (LeadingKeys is never empty for these actions).
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${key.assignment('').pk}*`] } },
      }),
    );
    this.acknowledgeIndexes(fn);
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
