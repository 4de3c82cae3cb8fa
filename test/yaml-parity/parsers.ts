/**
 * The YAML parsers our output must agree with, run for real: go-yaml v2 and v3, ghodss/yaml (what
 * sigs.k8s.io/yaml forked; kubectl, Argo CD and Flux read manifests through it, split on `---` lines like
 * k8s.io/apimachinery), built from Debian's packages in GOPATH mode, and PyYAML (`yaml.safe_load_all`).
 * sigs.k8s.io/yaml itself is not packaged in Debian bookworm; ghodss/yaml is its origin and shares its decoding.
 *
 * The Go program is built once per machine and source version into the temp dir, then reused.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ExternalParser = 'go-yaml-v2' | 'go-yaml-v3' | 'ghodss-yaml' | 'pyyaml';
export const externalParsers: ExternalParser[] = ['go-yaml-v2', 'go-yaml-v3', 'ghodss-yaml', 'pyyaml'];

const here = path.dirname(fileURLToPath(import.meta.url));
const goSource = path.join(here, 'go', 'main.go');
const pythonScript = path.join(here, 'parse_pyyaml.py');
const gopath = '/usr/share/gocode';
const goPackages = ['gopkg.in/yaml.v2', 'gopkg.in/yaml.v3', 'github.com/ghodss/yaml'];

export interface Parsers {
  /** Why the parsers cannot run (missing tools), or undefined when they can. */
  missing?: string;
  /**
   * For each multi-document stream, the documents the parser reads (JSON values) or its parse error; one
   * process per call. Throws when the tools are missing.
   */
  readMany(parser: ExternalParser, texts: readonly string[]): (unknown[] | { error: string })[];
}

let parsers: Parsers | undefined;

export function getParsers(): Parsers {
  parsers ??= setUp();
  return parsers;
}

function setUp(): Parsers {
  const goBinary = buildGoProgram();
  const python = findPython();
  const missing = [goBinary.missing, python.missing].filter(Boolean).join('; ') || undefined;
  return {
    ...(missing ? { missing } : {}),
    readMany(parser, texts) {
      if (missing) throw new Error(`YAML parity tools missing: ${missing}`);
      const [command, args] =
        parser === 'pyyaml'
          ? [python.command!, [pythonScript, '--batch']]
          : [
              goBinary.path!,
              ['-batch', { 'go-yaml-v2': 'v2', 'go-yaml-v3': 'v3', 'ghodss-yaml': 'ghodss' }[parser]],
            ];
      const run = spawnSync(command, args, {
        input: JSON.stringify(texts),
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      if (run.status !== 0) throw new Error(`${parser} failed: ${run.stderr || run.error}`);
      return JSON.parse(run.stdout) as (unknown[] | { error: string })[];
    },
  };
}

function buildGoProgram(): { path?: string; missing?: string } {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) return { missing: 'no `go` on PATH (Debian package golang-go)' };
  const absent = goPackages.filter((pkg) => !existsSync(path.join(gopath, 'src', pkg)));
  if (absent.length > 0) {
    return {
      missing: `Go packages not in ${gopath}: ${absent.join(', ')} (Debian golang-gopkg-yaml.v2-dev, golang-gopkg-yaml.v3-dev, golang-github-ghodss-yaml-dev)`,
    };
  }
  const version = createHash('sha256')
    .update(readFileSync(goSource))
    .update(go.stdout)
    .digest('hex')
    .slice(0, 16);
  // In the repo's git-ignored .cache/, not the run's temp folder (test/setup/run-tmpdir.ts): kept between runs.
  const dir = path.join(here, '..', '..', '.cache', 'yaml-parity', version);
  const binary = path.join(dir, 'yaml-parity');
  if (existsSync(binary)) return { path: binary };
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const build = spawnSync('go', ['build', '-o', partial, '.'], {
    cwd: path.dirname(goSource),
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: gopath,
      GOCACHE: path.join(dir, 'cache'),
      GOFLAGS: '',
    },
  });
  if (build.status !== 0) return { missing: `go build of ${goSource} failed: ${build.stderr}` };
  renameSync(partial, binary);
  return { path: binary };
}

function findPython(): { command?: string; missing?: string } {
  // Debian's interpreter first: python3-yaml is what .ci/run installs.
  for (const command of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(command, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0) return { command };
  }
  return { missing: 'no python3 with PyYAML (Debian package python3-yaml)' };
}
