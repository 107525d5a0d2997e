/**
 * Unit files that stub the environment, mock a module or write process-wide state: each runs with a module
 * graph of its own (project unit-isolated); the rest share one per worker (project unit).
 */
export const UNIT_NEEDS_ISOLATION = [
  'tests/unit/image-tar.test.ts',
  'tests/unit/oci-layout.test.ts',
  'tests/unit/outcomes.test.ts',
  'tests/unit/regress-verb.test.ts',
  'tests/unit/report-verb.test.ts',
];

/** What makes a file need its own module graph. */
export const NEEDS_ISOLATION =
  /vi\.(mock|doMock|stubEnv|stubGlobal|spyOn|useFakeTimers)\b|process\.on\(|process\.env\.[A-Z_]+ *=[^=]|delete process\.env|process\.chdir|process\.exitCode *=/;
