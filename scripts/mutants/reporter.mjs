// A node:test reporter for scripts/mutants.mjs: one JSON line per finished
// test or suite (name, nesting, suite or test, skipped, and for a failure its
// failure type and the first line of its message). The runner decides from
// these whether a test failed an assertion, timed out, or never ran.
export default async function* mutantReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, file, skip, todo, details } = event.data;
    const error = details?.error;
    const cause = error?.cause;
    const message = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : error?.message;
    yield `${JSON.stringify({
      outcome: event.type === 'test:pass' ? 'pass' : 'fail',
      name,
      nesting,
      file,
      suite: details?.type === 'suite',
      skipped: skip !== undefined || todo !== undefined,
      failureType: error?.failureType,
      message: message === undefined ? undefined : String(message).split('\n')[0].slice(0, 200),
    })}\n`;
  }
}
