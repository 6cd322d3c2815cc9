#!/usr/bin/env node
// `npm run test:mutants`: do the security tests notice when a defence is gone?
//
// For each mutation in scripts/mutants/mutations.mjs (one defence removed,
// described by behaviour, located by an anchor), in a scratch copy of the
// tree (src, test, scripts, bin, examples and the root config files copied;
// node_modules symlinked), the runner applies the patch, runs only the test
// files that name the catching tests, filtered to those tests, and restores
// the file. It fails when any mutant survives.
//
//   - Before any mutant, the same tests run on the unmutated copy: they must
//     pass, and every listed test name must match a test that ran, or the
//     list is stale and the run stops.
//   - A patch whose anchor matches nothing (or more than one place) stops the
//     run at once: "mutation no longer applies: update the patch".
//   - Killed means a listed test failed an assertion. A test that times out
//     (--test-timeout), a test file that has not exited after FILE_TIMEOUT_MS
//     (its whole process group is killed), a file that does not load or a
//     failing hook is reported as hung or crashed and fails the run, never
//     counted as killed.
//   - node_modules is the original tree's, so a package imported by name
//     (`@keyhold/bridge`, a workspace symlink) is the UNmutated source: list
//     tests that import the code under test by path, as the suites do.
//   - Integration tests need a Secret Service: when any selected mutation runs
//     one, the runner re-runs itself inside scripts/with-test-keyring.sh.
//
// Options: --only name[,name]  --jobs N (default 2)  --list  --show name (print
// the mutant's diff, run nothing)  --keep (leave the scratch dirs)
// --test-timeout ms (default 60000)  --file-timeout ms (default 120000).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { MUTATIONS } from './mutants/mutations.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const REPORTER = pathToFileURL(join(root, 'scripts', 'mutants', 'reporter.mjs')).href;
const COPIED = ['src', 'test', 'scripts', 'bin', 'build', 'examples', 'package.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.web.json'];
const args = process.argv.slice(2);
const option = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
/** Per test (node:test's own timeout): a mutant that makes a test wait forever shows up as a timeout, not a kill. */
const TEST_TIMEOUT_MS = Number(option('--test-timeout') ?? 60_000);
/** Per test file: after this the file's process group is killed and the result is "hung". */
const FILE_TIMEOUT_MS = Number(option('--file-timeout') ?? 120_000);
const only = option('--only')?.split(',').filter(Boolean);
const jobs = Math.max(1, Number(option('--jobs') ?? 2));

main().catch((error) => {
  process.stderr.write(`test:mutants: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});

async function main() {
  checkList(MUTATIONS);
  const selected = only === undefined ? MUTATIONS : only.map((name) => MUTATIONS.find((m) => m.name === name) ?? fail(`no mutation named ${name}`));
  if (args.includes('--list')) {
    for (const m of selected) process.stdout.write(`${m.name}\n  ${m.defence}\n  caught by: ${m.tests.map((t) => `"${testName(t)}"`).join(', ')}\n`);
    return;
  }
  const plans = planAll(selected);
  if (option('--show') !== undefined) {
    const plan = plans.find((p) => p.mutation.name === option('--show')) ?? fail(`no mutation named ${option('--show')}`);
    process.stdout.write(diffOf(plan));
    return;
  }
  const testFiles = findTestFiles(join(root, 'test'));
  for (const plan of plans) plan.files = catchingFiles(plan.mutation, testFiles);
  if (plans.some((plan) => plan.files.some((file) => !file.startsWith('test/unit/'))) && process.env.KEYHOLD_TEST_KEYRING !== '1') {
    const result = spawnSync('bash', [join(root, 'scripts', 'with-test-keyring.sh'), process.execPath, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
    process.exit(result.status ?? 1);
  }

  const started = Date.now();
  const workers = Array.from({ length: Math.min(jobs, plans.length) }, () => makeScratch());
  try {
    process.stdout.write(`▶ baseline: the catching tests pass on the unmutated tree (${jobs} at a time)\n`);
    await checkBaseline(plans, workers);
    process.stdout.write(`▶ ${plans.length} mutants\n`);
    const results = await runPool(plans, workers, (plan, scratch) => runMutant(plan, scratch));
    const notKilled = results.filter((r) => r.verdict !== 'killed');
    const took = Math.round((Date.now() - started) / 1000);
    process.stdout.write(`\n${results.length - notKilled.length}/${results.length} mutants killed in ${Math.floor(took / 60)}m${String(took % 60).padStart(2, '0')}s\n`);
    if (notKilled.length > 0) {
      process.stdout.write(`not killed: ${notKilled.map((r) => `${r.name} (${r.verdict})`).join(', ')}\n`);
      process.exitCode = 1;
    }
  } finally {
    if (args.includes('--keep')) process.stdout.write(`scratch dirs kept: ${workers.join(' ')}\n`);
    else for (const dir of workers) rmSync(dir, { recursive: true, force: true });
  }
}

function fail(message) {
  throw new Error(message);
}

function checkList(mutations) {
  const names = new Set();
  for (const m of mutations) {
    if (typeof m.name !== 'string' || !/^[a-z0-9_]+$/.test(m.name)) fail(`bad mutation name ${JSON.stringify(m.name)}`);
    if (names.has(m.name)) fail(`two mutations named ${m.name}`);
    names.add(m.name);
    if (typeof m.defence !== 'string' || !Array.isArray(m.patch) || m.patch.length === 0 || !Array.isArray(m.tests) || m.tests.length === 0) {
      fail(`mutation ${m.name} needs a defence, a patch and tests`);
    }
  }
}

// ── Patches ────────────────────────────────────────────────────────────────

/** Every patch applied in memory first, so a stale anchor stops the run before any test runs. */
function planAll(mutations) {
  const problems = [];
  const plans = [];
  for (const mutation of mutations) {
    try {
      plans.push({ mutation, edits: planEdits(mutation) });
    } catch (error) {
      problems.push(error.message);
    }
  }
  if (problems.length > 0) fail(problems.join('\n'));
  return plans;
}

/** Map of relative path → { original, mutated } for one mutation. */
function planEdits(mutation) {
  const edits = new Map();
  for (const step of mutation.patch) {
    const pattern = typeof step.find === 'string' ? new RegExp(escapeRegExp(step.find)) : step.find;
    const everywhere = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    const hits = [];
    for (const file of sourceFiles(step.in)) {
      const text = edits.get(file)?.mutated ?? readFileSync(join(root, file), 'utf8');
      const count = [...text.matchAll(everywhere)].length;
      if (count > 0) hits.push({ file, text, count });
    }
    const total = hits.reduce((sum, hit) => sum + hit.count, 0);
    const where = `${pattern} in ${step.in}`;
    if (total === 0) fail(`mutation ${mutation.name} no longer applies: update the patch (${where} matches nothing)`);
    if (total > 1) fail(`mutation ${mutation.name} no longer applies: update the patch (${where} matches ${total} places: ${hits.map((h) => h.file).join(', ')})`);
    const [{ file, text }] = hits;
    const mutated = text.replace(pattern, step.replace);
    if (mutated === text) fail(`mutation ${mutation.name}: the patch changes nothing in ${file}`);
    edits.set(file, { original: edits.get(file)?.original ?? text, mutated });
  }
  return edits;
}

function sourceFiles(where) {
  const full = join(root, where);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [where];
  return walk(full, (name) => /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')).map((f) => relative(root, f));
}

function walk(dir, keep) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, keep));
    else if (keep(entry.name)) out.push(full);
  }
  return out.sort();
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function diffOf(plan) {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-mutant-diff-'));
  let out = `# ${plan.mutation.name}: ${plan.mutation.defence}\n`;
  try {
    for (const [file, { original, mutated }] of plan.edits) {
      const a = join(dir, 'a', file);
      const b = join(dir, 'b', file);
      for (const [path, text] of [[a, original], [b, mutated]]) {
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, text);
      }
      const diff = spawnSync('git', ['diff', '--no-index', '--no-color', '--no-prefix', `a/${file}`, `b/${file}`], { cwd: dir, encoding: 'utf8' });
      out += diff.stdout;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// ── Tests ──────────────────────────────────────────────────────────────────

function findTestFiles(dir) {
  return walk(dir, (name) => name.endsWith('.test.ts')).map((file) => ({ path: relative(root, file), text: readFileSync(file, 'utf8') }));
}

/** A test entry is a literal part of test names, or { name, foundBy } when the title is built at run time (foundBy: its text in the file). */
function testName(entry) {
  return typeof entry === 'string' ? entry : entry.name;
}

function catchingFiles(mutation, testFiles) {
  const files = [];
  for (const entry of mutation.tests) {
    const literal = typeof entry === 'string' ? entry : entry.foundBy;
    const found = testFiles.filter((file) => file.text.includes(literal)).map((file) => file.path);
    if (found.length === 0) fail(`mutation ${mutation.name}: no test file under test/ contains "${literal}"; update the list`);
    files.push(...found);
  }
  return [...new Set(files)];
}

function makeScratch() {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-mutants-'));
  for (const entry of COPIED) if (existsSync(join(root, entry))) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  buildCli(dir);
  return dir;
}

/** Tests that spawn bin/keyhold.mjs run the bundled CLI (out/cli): it is rebuilt from the scratch's source, mutated or not. */
function buildCli(dir) {
  const result = spawnSync(process.execPath, [join(dir, 'scripts', 'build-cli.mjs')], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) fail(`building the CLI in ${dir} failed: ${result.stderr}`);
}

/** Runs one test file in `scratch`, filtered to `names`; resolves with its per-test events and how it ended. */
function runTestFile(scratch, file, names) {
  const eventsFile = join(scratch, `.mutant-events-${process.pid}-${Math.random().toString(36).slice(2)}.jsonl`);
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`,
      ...names.flatMap((name) => ['--test-name-pattern', escapeRegExp(name)]),
      `--test-reporter=${REPORTER}`, `--test-reporter-destination=${eventsFile}`,
      file,
    ],
    { cwd: scratch, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2_000)));
  return new Promise((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = existsSync(eventsFile)
        ? readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
        : [];
      rmSync(eventsFile, { force: true });
      resolve({ file, code, hung, events, stderr });
    });
  });
}

/** What one file run says: which tests ran, which failed an assertion, which timed out or broke otherwise. */
function judge(run) {
  const tests = run.events.filter((e) => !e.suite && !e.skipped && e.name !== e.file && !e.name.endsWith('.test.ts'));
  const broken = run.events.filter((e) => e.outcome === 'fail' && (e.name === e.file || e.name.endsWith('.test.ts') || (!e.suite && e.failureType !== 'testCodeFailure')));
  return {
    ran: tests.map((e) => e.name),
    assertionFailures: tests.filter((e) => e.outcome === 'fail' && e.failureType === 'testCodeFailure'),
    // node:test's timeout applies to each test and to the file as a whole (the file is a test too).
    timedOut: run.hung || run.events.some((e) => e.outcome === 'fail' && e.failureType === 'testTimeoutFailure'),
    broken,
  };
}

async function checkBaseline(plans, workers) {
  const byFile = new Map();
  for (const plan of plans) {
    for (const file of plan.files) byFile.set(file, [...new Set([...(byFile.get(file) ?? []), ...plan.mutation.tests.map(testName)])]);
  }
  const groups = [...byFile].map(([file, names]) => ({ file, names }));
  const runs = await runPool(groups, workers, async ({ file, names }, scratch) => {
    const run = await runTestFile(scratch, file, names);
    return { file, run, verdict: judge(run) };
  });
  const problems = [];
  for (const { file, run } of runs) {
    const failed = run.events.filter((e) => e.outcome === 'fail' && !e.suite);
    if (run.hung) problems.push(`${file}: did not exit within ${FILE_TIMEOUT_MS / 1000} s`);
    for (const e of failed) problems.push(`${file}: "${e.name}" fails without any mutation (${e.failureType}: ${e.message ?? ''})`);
    if (run.code !== 0 && failed.length === 0 && !run.hung) problems.push(`${file}: exit ${run.code}\n${run.stderr}`);
  }
  // Every listed name must have matched a test that ran (in one of the files that mention it).
  const ran = runs.flatMap((r) => r.verdict.ran);
  for (const plan of plans) {
    for (const name of plan.mutation.tests.map(testName)) {
      if (!ran.some((test) => test.includes(name))) problems.push(`${plan.mutation.name}: no test named "${name}" ran; update the list`);
    }
  }
  if (problems.length > 0) fail(`the baseline is not clean, so no mutant result would mean anything:\n  ${problems.join('\n  ')}`);
  process.stdout.write(`  ${runs.length} test files pass\n`);
}

async function runMutant(plan, scratch) {
  const started = Date.now();
  const { mutation, edits } = plan;
  for (const [file, { mutated }] of edits) writeFileSync(join(scratch, file), mutated);
  const outcomes = [];
  try {
    buildCli(scratch);
    for (const file of plan.files) {
      const verdict = judge(await runTestFile(scratch, file, mutation.tests.map(testName)));
      outcomes.push({ file, ...verdict });
      if (verdict.assertionFailures.length > 0) break;
    }
  } finally {
    for (const [file, { original }] of edits) writeFileSync(join(scratch, file), original);
    buildCli(scratch);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const killer = outcomes.find((o) => o.assertionFailures.length > 0);
  let verdict;
  let detail;
  if (killer !== undefined) {
    verdict = 'killed';
    const first = killer.assertionFailures[0];
    detail = `by "${first.name}" (${killer.file}): ${first.message ?? ''}`;
  } else if (outcomes.some((o) => o.timedOut)) {
    verdict = 'hung';
    detail = 'a catching test timed out or its file never exited: bound the wait in the test so it fails instead';
  } else if (outcomes.some((o) => o.broken.length > 0 || o.ran.length === 0)) {
    verdict = 'crashed';
    const broken = outcomes.flatMap((o) => o.broken)[0];
    detail = broken === undefined ? 'no catching test ran' : `"${broken.name}" ${broken.failureType}: ${broken.message ?? ''}`;
  } else {
    verdict = 'survived';
    detail = `every catching test passed (${outcomes.flatMap((o) => o.ran).length} ran in ${plan.files.join(', ')})`;
  }
  const mark = verdict === 'killed' ? '✔' : '✖';
  process.stdout.write(`${mark} ${verdict.padEnd(8)} ${mutation.name} (${seconds} s) ${detail}\n`);
  return { name: mutation.name, verdict };
}

/** Runs `work` over `items`, one item per free scratch dir at a time; results in item order. */
async function runPool(items, workers, work) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    workers.map(async (scratch) => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], scratch);
      }
    }),
  );
  return results;
}
