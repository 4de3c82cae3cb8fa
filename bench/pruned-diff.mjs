// The pruned diff on GitHub's REST description: equality proof and speed (issue 15, "diff only what changed").
// Usage: npm run build && node bench/pruned-diff.mjs [runs=3] [pair-filter]
// Pairs: GitHub 19.1.0 -> 23.0.2, and 23.0.2 against itself with one generated edit of each kind (a required
// query parameter added to one operation, an enum narrowed in one operation, a response removed from one
// operation, a property type changed in a shared component schema).
// For each pair:
// - equal: the real oasdiff's changes on the pruned bundles (prune-to-changes.ts) are deep-equal to those on the
//   full pair (every field, in order), and so are the check's findings (findBreakingChanges, which locates them
//   on the full bundles) with pruning and with oasdiff forced onto the full bundles.
// - times (medians of `runs` fresh processes after a warm-up): `kuma-api-forge check` end to end (the built CLI,
//   as bench/check.mjs runs it), its breaking stage alone (prune in process + oasdiff on the pruned pair), and
//   bare `oasdiff breaking` on the full pair; ratio = check / bare oasdiff.
// Targets: one-operation change: check <= 0.5x bare oasdiff; 19.1.0 -> 23.0.2: <= 1.05x.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { register } from 'tsx/esm/api';
import { describeLoad, emptyDir, fmt, githubSpec, measure, oasdiffBinary, repoRoot } from './lib.mjs';

register();
const { pruneToChanges } = await import('../shared/core/breaking/prune-to-changes.ts');
const { findBreakingChanges } = await import('../shared/core/breaking/find-breaking-changes.ts');
const { createOasdiffRunner } = await import('../shared/adapters/oasdiff-runner.ts');
const { createMemoryFileSource } = await import('../shared/adapters/memory-file-source.ts');
const { loadSpec } = await import('../shared/core/spec/load-spec.ts');

const runs = Number(process.argv[2] ?? 3);
const filter = process.argv[3] ?? '';
const cli = path.join(repoRoot, 'bin', 'kuma-api-forge.js');
const work = emptyDir();
const runner = createOasdiffRunner();

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
function* operations(doc) {
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of methods) if (item[method]) yield { template, method, operation: item[method] };
  }
}
const where = (found) => `${found.method.toUpperCase()} ${found.template}`;

/** The edits: each changes 23.0.2 in one place and says where. */
const edits = {
  'required parameter added': (doc) => {
    const found = operations(doc).next().value;
    found.operation.parameters = [
      ...(found.operation.parameters ?? []),
      { name: 'bench_required', in: 'query', required: true, schema: { type: 'string' } },
    ];
    return where(found);
  },
  'enum narrowed': (doc) => {
    for (const found of operations(doc)) {
      for (const parameter of found.operation.parameters ?? []) {
        const values = parameter.schema?.enum;
        if (!parameter.$ref && parameter.in === 'query' && Array.isArray(values) && values.length > 1) {
          parameter.schema.enum = values.slice(0, -1);
          return `${where(found)}, query parameter ${parameter.name}`;
        }
      }
    }
    throw new Error('no inline enum parameter found');
  },
  // A success response: removing a non-success one is only an optional oasdiff check (no change reported).
  'response removed': (doc) => {
    for (const found of operations(doc)) {
      const successes = Object.keys(found.operation.responses ?? {}).filter((status) =>
        status.startsWith('2'),
      );
      if (successes.length > 1) {
        delete found.operation.responses[successes[1]];
        return `${where(found)}, response ${successes[1]}`;
      }
    }
    throw new Error('no operation with two success responses found');
  },
  'shared component property type changed': (doc) => {
    // The component schema most referenced from operations among those with a string property.
    const text = JSON.stringify(doc.paths);
    const counts = Object.entries(doc.components.schemas)
      .map(([name, schema]) => ({
        name,
        schema,
        uses: text.split(`"#/components/schemas/${name}"`).length - 1,
        property: Object.entries(schema.properties ?? {}).find(
          ([, p]) => p.type === 'string' && !p.$ref,
        )?.[0],
      }))
      .filter((c) => c.property && c.uses > 1 && c.uses < 20)
      .sort((a, b) => b.uses - a.uses);
    const chosen = counts[0];
    chosen.schema.properties[chosen.property] = {
      ...chosen.schema.properties[chosen.property],
      type: 'integer',
    };
    return `components.schemas.${chosen.name}.${chosen.property} (named by ${chosen.uses} refs in paths)`;
  },
};

function writeJson(name, doc) {
  const file = path.join(work, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const head23 = githubSpec('23.0.2');
const pairs = [
  { name: 'GitHub 19.1.0 -> 23.0.2', base: githubSpec('19.1.0'), head: head23, what: 'all changes' },
];
const original = JSON.parse(readFileSync(head23, 'utf8'));
for (const [kind, edit] of Object.entries(edits)) {
  const doc = structuredClone(original);
  const what = edit(doc);
  pairs.push({
    name: `23.0.2, ${kind}`,
    base: head23,
    head: writeJson(`${kind.replaceAll(' ', '-')}.json`, doc),
    what,
  });
}

async function load(file) {
  return loadSpec(createMemoryFileSource({ 'api.json': readFileSync(file, 'utf8') }), 'api.json');
}

/** oasdiff on full vs pruned bundles, and the check's findings with and without pruning. */
async function proveEqual(pair) {
  const [base, head] = await Promise.all([load(pair.base), load(pair.head)]);
  const started = process.hrtime.bigint();
  const pruned = pruneToChanges(base.bundle, head.bundle);
  const pruneMs = Number(process.hrtime.bigint() - started) / 1e6;
  const fullChanges = await runner.breaking(base.bundle, head.bundle);
  const prunedChanges = pruned === 'unchanged' ? [] : await runner.breaking(pruned.base, pruned.head);
  const full = { breaking: () => Promise.resolve(fullChanges) };
  const [withPruning, without] = await Promise.all([
    findBreakingChanges(base, head, runner),
    findBreakingChanges(base, head, full),
  ]);
  const size = (doc) => JSON.stringify(doc).length;
  const cut =
    pruned === 'unchanged'
      ? { paths: 0, kb: 0 }
      : {
          paths: Object.keys(pruned.head.paths).length,
          kb: Math.round((size(pruned.base) + size(pruned.head)) / 1024),
        };
  const prunedFiles =
    pruned === 'unchanged'
      ? undefined
      : [writeJson('pruned/base.json', pruned.base), writeJson('pruned/head.json', pruned.head)];
  return {
    equalChanges: isDeepStrictEqual(prunedChanges, fullChanges),
    equalFindings: isDeepStrictEqual(withPruning, without),
    changes: fullChanges.length,
    findings: without.length,
    pruneMs,
    cut,
    fullKb: Math.round((size(base.bundle) + size(head.bundle)) / 1024),
    fullPaths: Object.keys(head.bundle.paths).length,
    prunedFiles,
  };
}

console.log(`${runs} runs each, ${describeLoad()} at start`);
let allEqual = true;
for (const pair of pairs.filter((p) => p.name.includes(filter))) {
  const proof = await proveEqual(pair);
  allEqual &&= proof.equalChanges && proof.equalFindings;
  const oasdiff = measure(oasdiffBinary(), ['breaking', pair.base, pair.head, '-f', 'json'], {
    runs,
    cwd: emptyDir(),
  });
  const prunedOasdiff = proof.prunedFiles
    ? measure(oasdiffBinary(), ['breaking', ...proof.prunedFiles, '-f', 'json'], { runs, cwd: emptyDir() })
    : undefined;
  const check = measure(
    process.execPath,
    [cli, 'check', '--base', pair.base, '--head', pair.head, '--format', 'json', '--lint', 'all'],
    { runs },
  );
  const stage = (prunedOasdiff?.median ?? 0) + proof.pruneMs / 1000;
  const oneOperation = pair.name.startsWith('23.0.2') && !pair.name.includes('shared');
  const target = oneOperation ? 0.5 : pair.name.includes('19.1.0') ? 1.05 : undefined;
  const ratio = check.median / oasdiff.median;
  console.log(`${pair.name} (${pair.what})`);
  console.log(
    `  equal: oasdiff changes ${proof.equalChanges ? 'yes' : 'NO'}, findings ${proof.equalFindings ? 'yes' : 'NO'} (${proof.changes} changes, ${proof.findings} findings)`,
  );
  console.log(
    `  pruned: head paths ${proof.cut.paths}/${proof.fullPaths}, bundles ${proof.cut.kb} KB of ${proof.fullKb} KB, pruning ${proof.pruneMs.toFixed(0)} ms`,
  );
  console.log(`  kuma-api-forge check:        ${fmt(check)}`);
  console.log(`  breaking stage (pruned):     ${stage.toFixed(2)} s (oasdiff on the pruned pair + pruning)`);
  console.log(`  oasdiff breaking, full pair: ${fmt(oasdiff)}`);
  console.log(
    `  ratio check / oasdiff (median): ${ratio.toFixed(2)}x wall, ${(check.cpu / oasdiff.cpu).toFixed(2)}x CPU; breaking stage / oasdiff: ${(stage / oasdiff.median).toFixed(2)}x${target ? `; target <= ${target}x: ${ratio <= target ? 'met' : 'MISSED'}` : ''}`,
  );
}
console.log(`all equal: ${allEqual ? 'yes' : 'NO'}; ${describeLoad()} at end`);
process.exitCode = allEqual ? 0 : 1;
