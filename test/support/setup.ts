// Registers aws-sdk-client-mock's vitest matchers (toReceiveCommandWith, …) for every test file, and seeds every property test.
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';

// No test depends on chance: every fast-check property runs the same cases on every run (a case
// one finds is kept as a test of its own). A property that gives its own seed keeps it.
fc.configureGlobal({ seed: 20261202 });
