// The adapters that talk to AWS, with the SDK clients they take, for bundling as a function's bundle carries them (test/support/bundled.ts): what the tests of bundled SDK calls import.
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
export { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
export { SESv2Client } from '@aws-sdk/client-sesv2';
export { SQSClient } from '@aws-sdk/client-sqs';
export { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
export { resolveSecret } from '#shared/adapters/secrets.ts';
export { secretsManagerVault } from '#shared/adapters/secrets-manager.ts';
export { makeSesMailer, readSesQuota } from '#shared/adapters/ses-mailer.ts';
export { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
