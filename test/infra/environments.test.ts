/**
 * infra/ for two clusters (DEPLOY_ENVIRONMENTS): each cluster's Argo CD or Flux overlay is the one-environment
 * base with only its branch replaced. The overlays are built here as kustomize builds them (the base's
 * resources, then each JSON 6902 `replace`), and the result must be valid Argo CD / Flux objects that differ
 * from the base in the synced branch only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Json = Record<string, unknown>;
const read = (path: string): Json =>
  parse(readFileSync(new URL(`../../infra/${path}`, import.meta.url), 'utf8')) as Json;

interface KustomizeFile {
  resources: string[];
  patches?: { target: { group: string; kind: string; name: string }; patch: string }[];
}

/** `kustomize build` of an overlay whose only resource is a base two folders up, with `replace` patches only. */
function build(overlay: string): Json[] {
  const file = read(`${overlay}/kustomization.yaml`) as unknown as KustomizeFile;
  expect(file.resources).toEqual(['../..']);
  const baseDir = overlay.split('/').slice(0, -2).join('/');
  const base = read(`${baseDir}/kustomization.yaml`) as unknown as KustomizeFile;
  const objects = base.resources.map((name) => read(`${baseDir}/${name}`));
  for (const { target, patch } of file.patches ?? []) {
    const matching = objects.filter(
      (o) =>
        o.kind === target.kind &&
        String(o.apiVersion).startsWith(`${target.group}/`) &&
        (o.metadata as Json).name === target.name,
    );
    expect(matching).toHaveLength(1);
    for (const op of parse(patch) as { op: string; path: string; value: unknown }[]) {
      expect(op.op).toBe('replace');
      const keys = op.path.split('/').slice(1);
      const parent = keys.slice(0, -1).reduce<Json>((node, key) => node[key] as Json, matching[0]!);
      expect(parent).toHaveProperty(keys.at(-1)!); // replace needs the field to exist
      parent[keys.at(-1)!] = op.value;
    }
  }
  return objects;
}

const find = (objects: Json[], kind: string) => objects.find((o) => o.kind === kind)!;
/** The clusters' branches, as in the DEPLOY_ENVIRONMENTS example: staging → `staging`, production → `main`. */
const clusters = [
  ['staging', 'staging'],
  ['production', 'main'],
] as const;

describe('Argo CD per cluster (infra/argocd/environments/<name>)', () => {
  const base = ['appproject.yaml', 'applicationset.yaml'].map((name) => read(`argocd/${name}`));

  it.each(clusters)('%s syncs the %s branch, and is the base otherwise', (cluster, branch) => {
    const objects = build(`argocd/environments/${cluster}`);
    const appSet = new ApplicationSet(find(objects, 'ApplicationSet') as never);
    const project = new AppProject(find(objects, 'AppProject') as never);
    expect(() => appSet.validate()).not.toThrow();
    expect(() => project.validate()).not.toThrow();
    expect(appSet.spec!.generators[0]!.git!.revision).toBe(branch);
    expect(appSet.spec!.template.spec.source!.targetRevision).toBe(branch);
    const unbranch = (o: Json) => {
      const copy = structuredClone(o) as Json & { spec: Json };
      if (copy.kind === 'ApplicationSet') {
        (copy.spec as { generators: { git: Json }[] }).generators[0]!.git.revision = '*';
        (copy.spec as { template: { spec: { source: Json } } }).template.spec.source.targetRevision = '*';
      }
      return copy;
    };
    expect(objects.map(unbranch)).toEqual(base.map(unbranch));
  });
});

describe('Flux per cluster (infra/flux/clusters/<name>)', () => {
  const base = ['gitrepository.yaml', 'kustomization-apis.yaml'].map((name) => read(`flux/${name}`));

  it.each(clusters)('%s follows the %s branch, and is the base otherwise', (cluster, branch) => {
    const objects = build(`flux/clusters/${cluster}`);
    const source = new GitRepository(find(objects, 'GitRepository') as never);
    const apply = new Kustomization(find(objects, 'Kustomization') as never);
    expect(() => source.validate()).not.toThrow();
    expect(() => apply.validate()).not.toThrow();
    expect(source.spec!.ref!.branch).toBe(branch);
    const unbranch = (o: Json) => {
      const copy = structuredClone(o) as Json;
      if (copy.kind === 'GitRepository') ((copy.spec as Json).ref as Json).branch = '*';
      return copy;
    };
    expect(objects.map(unbranch)).toEqual(base.map(unbranch));
  });
});

/**
 * Environments as folders of one branch (DEPLOY_ENVIRONMENTS `path: envs/<name>`): each cluster's overlay in
 * infra/argocd/folders/<name> and infra/flux/folders/<name> reads only its folder's `apis/` of the shared branch.
 */
describe('environments as folders of one branch (infra/*/folders/<name>)', () => {
  const folders = ['staging', 'production'] as const;

  it.each(folders)(
    'Argo CD in %s: one Application per envs/<that name>/apis/<owner>/<repo> of main',
    (env) => {
      const objects = build(`argocd/folders/${env}`);
      const appSet = new ApplicationSet(find(objects, 'ApplicationSet') as never);
      expect(() => appSet.validate()).not.toThrow();
      expect(() => new AppProject(find(objects, 'AppProject') as never).validate()).not.toThrow();
      const git = appSet.spec!.generators[0]!.git!;
      expect(git.directories).toEqual([{ path: `envs/${env}/apis/*/*` }]);
      expect(git.revision).toBe('main');
      expect(appSet.spec!.template.spec.source!.targetRevision).toBe('main');
      // Each Application syncs its folder (the generator's path) with the base's include: `.source.yaml` stays out.
      expect(appSet.spec!.template.spec.source!.path).toBe('{{.path.path}}');
      const base = ['appproject.yaml', 'applicationset.yaml'].map((name) => read(`argocd/${name}`));
      const unfolder = (o: Json) => {
        const copy = structuredClone(o) as Json & { spec: Json };
        if (copy.kind === 'ApplicationSet') {
          const spec = copy.spec as { generators: { git: Json }[]; template: { spec: { source: Json } } };
          spec.generators[0]!.git.directories = '*';
          spec.generators[0]!.git.revision = '*';
          spec.template.spec.source.targetRevision = '*';
        }
        return copy;
      };
      expect(objects.map(unfolder)).toEqual(base.map(unfolder));
    },
  );

  it.each(folders)(
    'Flux in %s: keeps and applies only envs/%s/apis/ of main, without .source.yaml',
    (env) => {
      const objects = build(`flux/folders/${env}`);
      const source = new GitRepository(find(objects, 'GitRepository') as never);
      const apply = new Kustomization(find(objects, 'Kustomization') as never);
      expect(() => source.validate()).not.toThrow();
      expect(() => apply.validate()).not.toThrow();
      expect(source.spec!.ref!.branch).toBe('main');
      expect(apply.spec!.path).toBe(`./envs/${env}/apis`);
      // Flux's `spec.ignore` is .gitignore syntax: git itself says what it keeps of a two-folder deploy branch.
      const other = env === 'staging' ? 'production' : 'staging';
      const tree = [
        'tenants.yaml',
        'README.md',
        'governance/limits.yaml',
        'apis/acme/old/pets/route.yaml',
        ...[env, other].flatMap((name) => [
          `envs/${name}/tenants.yaml`,
          `envs/${name}/governance/limits.yaml`,
          `envs/${name}/apis/acme/pets/.source.yaml`,
          `envs/${name}/apis/acme/pets/pets/meshhttproute-pets.yaml`,
        ]),
      ];
      expect(keptByIgnore(String(source.spec!.ignore), tree)).toEqual([
        `envs/${env}/apis/acme/pets/pets/meshhttproute-pets.yaml`,
      ]);
    },
  );
});

/** The paths of `tree` that a `.gitignore` of `rules` keeps, as `git check-ignore` judges them. */
function keptByIgnore(rules: string, tree: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'flux-ignore-'));
  try {
    execFileSync('git', ['init', '--quiet', dir]);
    writeFileSync(join(dir, '.gitignore'), rules);
    for (const path of tree) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), '');
    }
    const run = spawnSync('git', ['-C', dir, 'check-ignore', '--no-index', '--stdin'], {
      input: tree.join('\n'),
      encoding: 'utf8',
    });
    const ignored = new Set(run.stdout.split('\n').filter(Boolean));
    return tree.filter((path) => !ignored.has(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
