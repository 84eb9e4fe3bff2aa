// Stands in for `@smithy/core/event-streams` inside a Lambda bundle (infra/bundle.ts aliases it here): no attest function calls an operation that streams events.

/**
 * The SDK's protocols import event-stream support only when an operation's schema has an event
 * stream member (`await import('@smithy/core/event-streams')`), and esbuild inlines that import
 * into every bundle (about 15 KB, with its CRC32). None of the operations attest calls has one
 * (DynamoDB, SQS, SESv2, Secrets Manager). A client whose operations do stream imports the module
 * statically, so the bundle would fail at its first import, not at some later call; the bundles'
 * test (test/infra/bundles.test.ts) checks that the import stays dynamic.
 */
throw new Error(
  'attest bundles leave out the AWS SDK’s event-stream support (infra/bundle.ts BUNDLE_SETTINGS.alias); ' +
    'an operation streaming events needs it back.',
);
