/**
 * Every generated file reads the same in every YAML parser that consumes it: ours (YAML 1.2), go-yaml v2 and v3,
 * ghodss/yaml the way kubectl/Argo CD/Flux read a manifest stream, and PyYAML. For every rendered fixture, every
 * file a deploy commits, and renders carrying hostile text (U+2028, U+2029, NEL, CR, NUL, BOM, `---`, `...`, `#`,
 * YAML 1.1 booleans and numbers) in every repo-derived field, the objects read must equal the objects the
 * renderer meant, document for document. Text that cannot be meaningful (line breaks in a header value, a
 * hostname, an API name) must instead be an error finding on its line, with nothing written.
 *
 * The tools come from Debian packages (.ci/run installs them). Locally, without them, the tests are skipped
 * with a message; with CI set they fail.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createLocalDirSource } from '../../shared/adapters/local-dir-source.js';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { planDeploy } from '../../shared/core/deploy/plan-deploy.js';
import { parseSourceRecord } from '../../shared/core/deploy/source-record.js';
import type { ManifestFormat } from '../../shared/core/kuma/render/index.js';
import { toManifestObject } from '../../shared/core/kuma/render/serialize-resources.js';
import type { FileSource } from '../../shared/ports/file-source.js';
import { renderSource } from '../../shared/use-cases/preview-deploy.js';
import { renderRepo, renderSpec } from '../../shared/use-cases/render-repo.js';
import { runCli } from '../helpers/cli.js';
import {
  type Attack,
  attackRepo,
  commit,
  embeddedCases,
  expectParity,
  injected,
  lineBreaks,
  type ParityCase,
  parsers,
  skip,
  streamOf,
} from './helpers.js';
import { externalParsers } from './parsers.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
function fixtureRepos(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(path.join(dir, '.kuma-api-forge.yaml'))) found.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
    }
  };
  walk(path.join(repoRoot, 'fixtures'));
  return found.sort();
}

function fixtureSpecs(): string[] {
  const dir = path.join(repoRoot, 'fixtures/specs/petstore');
  return [
    ...readdirSync(dir).map((file) => path.join(dir, file)),
    ...readdirSync(path.join(dir, 'revisions')).map((file) => path.join(dir, 'revisions', file)),
  ].filter((file) => file.endsWith('.yaml'));
}

function render(
  files: Record<string, string>,
  format: ManifestFormat,
  options: { repo?: string; commit?: string } = {},
) {
  return renderRepo(createMemoryFileSource(files), { format, repo: 'acme/shop', commit, ...options });
}

/** The attack on disk and through the CLI: exit 1, the finding on the attack's line, nothing written. */
async function expectRenderError(attack: Attack, file: string, marker: string, id: string) {
  const files = attackRepo(attack);
  const dir = mkdtempSync(path.join(tmpdir(), 'yaml-parity-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const out = path.join(dir, 'out');
  const run = await runCli(['render', dir, '--out', out]);
  const line = files[file]!.split('\n').findIndex((text) => text.includes(marker)) + 1;
  expect(line).toBeGreaterThan(0);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(new RegExp(`^${escapeRegExp(file)}:${line}:\\d+: error: .*\\[${id}\\]$`, 'm'));
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(out)).toBe(false);
  return run.stderr;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Error findings located in the repo, or else the stream (k8s) as a parity case. */
async function errorsOrCase(attack: Attack, what: string): Promise<ParityCase[]> {
  const result = await render(attackRepo(attack), 'k8s');
  const errors = result.findings.filter((finding) => finding.severity === 'error');
  for (const error of errors) {
    expect(error.file, `${what}: ${error.id}`).toBeTruthy();
    expect(error.line, `${what}: ${error.id}`).toBeGreaterThan(0);
  }
  if (errors.length > 0) return [];
  const stream = streamOf(result, 'k8s');
  expect(stream.files.length, what).toBeGreaterThan(0);
  return [{ what, ...stream }];
}

describe.skipIf(skip)('YAML parity: every parser reads what the renderer meant', () => {
  it('every rendered fixture: all repos (revisions included) and bare specs, Kubernetes and Universal', async () => {
    const cases: ParityCase[] = [];
    for (const format of ['k8s', 'universal'] as const) {
      for (const dir of fixtureRepos()) {
        const result = await renderRepo(createLocalDirSource(dir), { format, repo: 'acme/shop', commit });
        cases.push({ what: `${path.relative(repoRoot, dir)} (${format})`, ...streamOf(result, format) });
      }
      for (const file of fixtureSpecs()) {
        const result = await renderSpec(createLocalDirSource(path.dirname(file)), path.basename(file), {
          format,
        });
        cases.push({ what: `${path.relative(repoRoot, file)} (${format})`, ...streamOf(result, format) });
      }
    }
    expect(cases.filter((c) => c.intended.length > 0).length).toBeGreaterThan(20);
    const embedded = cases.flatMap(embeddedCases);
    expect(embedded.length).toBeGreaterThan(0);
    expectParity([...cases, ...embedded]);
  }, 300_000);

  it('every file a deploy commits, for every fixture repo and for hostile spec paths', async () => {
    const sources: [string, FileSource][] = [
      ...fixtureRepos().map((dir): [string, FileSource] => [
        path.relative(repoRoot, dir),
        createLocalDirSource(dir),
      ]),
      ...lineBreaks.map(([name, br]): [string, FileSource] => [
        `spec path with ${name}`,
        createMemoryFileSource(attackRepo({ specPath: `openapi/${injected(br)}.yaml`, headerValue: 'yes' })),
      ]),
    ];
    const cases: ParityCase[] = [];
    for (const [what, source] of sources) {
      const rendered = await renderSource(source, { owner: 'acme', repo: 'shop' });
      const plan = planDeploy({
        sourceRepo: { owner: 'acme', repo: 'shop' },
        sourceSha: commit,
        current: [],
        rendered: rendered.apis,
        inputs: rendered.inputs,
      });
      const result = await renderRepo(source, { format: 'k8s', repo: 'acme/shop' });
      const intended = new Map(
        result.apis.flatMap((api) =>
          [...api.resources, ...api.manifests].map((resource) => [
            `${plan.folder}${api.name}/${resource.kind.toLowerCase()}-${resource.name}.yaml`,
            toManifestObject(resource, 'k8s'),
          ]),
        ),
      );
      for (const change of plan.changes) {
        const text = change.content!;
        if (change.path.endsWith('/.source.yaml')) {
          // What the record meant: the render's inputs, verbatim (hostile paths included).
          const record = parseSourceRecord(text)!;
          expect(record.inputs, what).toEqual(
            [...rendered.inputs].sort((a, b) => (a.path < b.path ? -1 : 1)),
          );
          cases.push({
            what: `${what}: ${change.path}`,
            text,
            intended: [parseAllDocuments(text)[0]!.toJS()],
          });
        } else {
          expect(intended.has(change.path), `${what}: ${change.path} is a rendered resource`).toBe(true);
          cases.push({ what: `${what}: ${change.path}`, text, intended: [intended.get(change.path)] });
        }
      }
      // The commit message: one line per fact, nothing a line break in a file name could forge.
      expect(plan.message, what).toMatch(/^[\x20-\x7e\n]*$/);
      expect(plan.message.match(/^Kuma-Api-Forge-Source: /gm), what).toHaveLength(1);
    }
    expectParity(cases);
  }, 300_000);

  it('spec paths carrying line breaks, BOM, controls or separators render; the header comment percent-encodes them', async () => {
    const specPaths: [string, string][] = [
      ...lineBreaks.map(([name, br]): [string, string] => [name, `openapi/${injected(br)}.yaml`]),
      ['BOM', '\ufeffopenapi.yaml'],
      ['C1 control', 'open\u009bapi.yaml'],
      ['DEL and tab', 'open\u007f\tapi.yaml'],
      ['document end', 'a\n...\nb.yaml'],
      ['a forged field', 'a, commit ffff.yaml'],
    ];
    const cases: ParityCase[] = [];
    for (const [what, specPath] of specPaths) {
      const result = await render(attackRepo({ specPath }), 'k8s');
      expect(
        result.findings.filter((f) => f.severity === 'error'),
        what,
      ).toEqual([]);
      const stream = streamOf(result, 'k8s');
      expect(stream.text, what).toMatch(/^[\x20-\x7e\n]*$/);
      expect(stream.text, what).not.toMatch(/^# Source: .*, commit ffff/m);
      // The promised grammar: printable ASCII but `%` and `,` (the field separator) stays, the rest is %XX.
      const encoded = specPath.replace(/[^\x20-\x24\x26-\x2b\x2d-\x7e]/gu, (char) =>
        encodeURIComponent(char),
      );
      expect(stream.text, what).toContain(`# Source: repo acme/shop, spec ${encoded}`);
      cases.push({ what: `spec path with ${what}`, ...stream });
    }
    expectParity(cases);
  }, 120_000);

  it('the CLI stream of a repo whose spec path carries U+2028 holds only its own resources', async () => {
    const files = attackRepo({ specPath: `openapi/${injected('\u2028')}.yaml` });
    const dir = mkdtempSync(path.join(tmpdir(), 'yaml-parity-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    const run = await runCli(['render', dir]);
    expect(run.code).toBe(0);
    const stream = streamOf(await renderRepo(createLocalDirSource(dir), { format: 'k8s' }), 'k8s');
    expect(run.stdout).toBe(stream.text);
    expectParity([{ what: 'CLI stream', ...stream }]);
    for (const parser of externalParsers) {
      const [docs] = parsers.readMany(parser, [run.stdout]) as { metadata: { name: string } }[][];
      expect(
        docs!.map((doc) => doc.metadata.name),
        parser,
      ).not.toContain('pwned');
    }
  });

  it('provenance (repo, commit) with line breaks stays on its comment line', async () => {
    const provenance: [string, { repo?: string; commit?: string }][] = [
      ['repo with U+2028', { repo: `acme/shop${injected('\u2028')}` }],
      ['repo with CR', { repo: `acme/shop${injected('\r')}` }],
      ['commit with NEL', { commit: `${commit}${injected('\u0085')}` }],
      ['commit with BOM and NUL', { commit: `\ufeff${commit}\u0000` }],
    ];
    const cases: ParityCase[] = [];
    for (const [what, options] of provenance) {
      for (const format of ['k8s', 'universal'] as const) {
        const stream = streamOf(await render(attackRepo({}), format, options), format);
        const sourceLines = stream.text.split('\n').filter((line) => line.startsWith('# Source:'));
        expect(sourceLines, what).toHaveLength(stream.files.length);
        cases.push({ what: `${what} (${format})`, ...stream });
      }
    }
    expectParity(cases);
  }, 120_000);

  it('header values YAML 1.1 reads differently (booleans, sexagesimal, octal, timestamps, indicators) render as written', async () => {
    const values = [
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      '~',
      'null',
      '1:20',
      '0755',
      '0x1F',
      '1_000',
      '.inf',
      '1e3',
      '+1',
      '2024-01-01',
      '2001-12-14t21:59:43.10-05:00',
      '=',
      '<<',
      "it's",
      'say "hi"',
      'a: b',
      'a #b',
      '# not a comment',
      '--- x',
      '... x',
      '---',
      '- item',
      '? key',
      '@at',
      '%TAG',
      '*alias',
      '&anchor',
      '!tag',
      '|',
      '>',
      '{a: 1}',
      '[1]',
      '\ttabbed\t',
      ' padded ',
      '',
    ];
    const cases: ParityCase[] = [];
    for (const format of ['k8s', 'universal'] as const) {
      const result = await render(attackRepo({ headerValues: values }), format);
      expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
      const stream = streamOf(result, format);
      // The renderer meant each value verbatim: it is in the intended objects, so parity proves it reads back.
      const meant = JSON.stringify(stream.intended);
      // Envoy's formatter reads `%` as a command: the renderer means a literal one, written `%%` (D6).
      for (const value of values)
        expect(meant, JSON.stringify(value)).toContain(
          `"value":${JSON.stringify(value.replaceAll('%', '%%'))}`,
        );
      cases.push({ what: `header values (${format})`, ...stream });
    }
    expectParity(cases);
  }, 120_000);

  it.each([
    ['NEL', 'v\u0085---\u0085kind: X'],
    ['CR', 'v\rSet-Cookie: a=b'],
    ['LF', 'v\nx-injected: 1'],
    ['NUL', 'v\u0000'],
    ['U+2028', `v${injected('\u2028')}`],
    ['BOM', '\ufeffv'],
    ['non-ASCII', 'café'],
  ])(
    'an x-kuma header value with %s is an x-kuma-invalid error on its line (CLI: exit 1, nothing written)',
    async (_what, value) => {
      const stderr = await expectRenderError(
        { headerValue: value },
        'openapi.yaml',
        'x-tag:',
        'x-kuma-invalid',
      );
      expect(stderr).toContain('must be printable ASCII or tabs');
    },
  );

  it.each([
    ['CR', 'shop.example.com\r'],
    ['document marker', 'shop.example.com\n---\nkind: X'],
    ['U+2028', 'shop\u2028example.com'],
    ['NUL', 'shop.example.com\u0000'],
    ['space', 'shop.example.com #'],
  ])('a hostname with %s is a config-schema error on its line', async (_what, hostname) => {
    await expectRenderError({ hostname }, '.kuma-api-forge.yaml', 'hostnames:', 'config-schema');
  });

  it.each([
    ['BOM', '\ufeffshop'],
    ['U+2028', 'shop\u2028'],
    ['LF', 'shop\n---'],
    ['NEL', 'shop\u0085'],
  ])('an API name with %s is a config-schema error on its line', async (_what, apiName) => {
    await expectRenderError({ apiName }, '.kuma-api-forge.yaml', '- name:', 'config-schema');
  });

  it.each([
    ['U+2028', `https://idp.example.com/${injected('\u2028')}`],
    ['CR', 'https://idp.example.com/\r'],
    ['NUL', 'https://idp\u0000.example.com/'],
    ['space', 'https://idp.example.com/ x'],
  ])('a JWT issuer with %s is an x-kuma-invalid error on its line', async (_what, issuer) => {
    await expectRenderError({ issuer }, 'openapi.yaml', 'issuer:', 'x-kuma-invalid');
  });

  it('JWT issuers and OpenAPI paths with YAML punctuation or hostile characters: an error on their line, or parity', async () => {
    const cases: ParityCase[] = [];
    for (const issuer of [
      'https://idp.example.com/#x:y',
      'https://idp.example.com/\'"',
      'yes',
      'on',
      '*a',
      '@b',
    ]) {
      const rendered = await errorsOrCase({ issuer }, `issuer ${issuer}`);
      expect(rendered, `issuer ${issuer} renders`).toHaveLength(1);
      cases.push(...rendered, ...rendered.flatMap(embeddedCases));
    }
    const paths = [
      '/a#b',
      '/a: b',
      "/it's",
      '/say"hi"',
      '/a #b',
      '/yes',
      '/---',
      '/...',
      '/a\u2028---\u2028kind: X',
      '/a\u0085b',
      '/a\rb',
      '/\ufeffa',
      '/caf\u00e9',
    ];
    for (const specPath of paths)
      cases.push(...(await errorsOrCase({ path: specPath }, `path ${JSON.stringify(specPath)}`)));
    if (cases.length > 0) expectParity(cases);
  }, 120_000);
});

/** Needs no external parser: text no UTF-8 file can hold is an error on its line, never a crash. */
describe('text no YAML file can hold', () => {
  it.each([
    ['a lone high surrogate', '/a\\ud800'],
    ['a lone low surrogate', '/a\\udfff/b'],
    ['a reversed pair', '/\\udc00\\ud800'],
  ])(
    'a path with %s is an error on its line before any YAML is written (CLI: exit 1, nothing written)',
    async (_what, key) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'yaml-parity-'));
      const spec = [
        '{"openapi": "3.0.3", "info": {"title": "S", "version": "1"}, "paths": {',
        `  "/ok": {"get": {"responses": {"200": {"description": "ok"}}}},`,
        `  "${key}": {"get": {"responses": {"200": {"description": "ok"}}}}`,
        '}}',
      ].join('\n');
      writeFileSync(path.join(dir, 'api.json'), spec);
      const out = path.join(dir, 'out');
      const run = await runCli(['render', path.join(dir, 'api.json'), '--out', out]);
      expect(run.code).toBe(1);
      // The path rule refuses it first (non-ASCII); the emitter's own refusal is unit-tested in yaml-output.
      expect(run.stderr).toMatch(/^api\.json:3:\d+: error: .*\[path-unroutable\]$/m);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    },
  );
});
