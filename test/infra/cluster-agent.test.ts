/**
 * The cluster-agent manifests in infra/: valid Argo CD and Flux objects (schemas of @kubernetes-models), and
 * they apply exactly the manifests a deploy writes (not the provenance file, not tenants.yaml).
 */
import { readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planDeploy } from '../../shared/core/deploy/plan-deploy.js';
import { renderFiles } from '../unit/deploy/helpers.js';

const load = (path: string) => parse(readFileSync(new URL(`../../infra/${path}`, import.meta.url), 'utf8'));

async function deployedPaths(): Promise<string[]> {
  const rendered = await renderFiles();
  const plan = planDeploy({
    sourceRepo: { owner: 'acme', repo: 'pets' },
    sourceSha: 'a'.repeat(40),
    current: [],
    rendered: rendered.apis,
  });
  return plan.changes.map((change) => change.path);
}

describe('Argo CD', () => {
  const appSet = new ApplicationSet(load('argocd/applicationset.yaml'));
  const project = new AppProject(load('argocd/appproject.yaml'));

  it('is a valid ApplicationSet and AppProject', () => {
    expect(() => appSet.validate()).not.toThrow();
    expect(() => project.validate()).not.toThrow();
  });

  it('syncs each apis/<owner>/<repo> folder with prune and self-heal, ignoring the labels Kuma adds', () => {
    const generator = appSet.spec!.generators[0]!.git!;
    expect(generator.directories).toEqual([{ path: 'apis/*/*' }]);
    const spec = appSet.spec!.template.spec;
    expect(spec.project).toBe(project.metadata!.name);
    expect(spec.syncPolicy?.automated).toMatchObject({ prune: true, selfHeal: true });
    expect(spec.syncPolicy?.syncOptions).toContain('RespectIgnoreDifferences=true');
    const ignored = spec.ignoreDifferences!.flatMap((rule) => rule.jqPathExpressions ?? []);
    for (const label of [
      'kuma.io/origin',
      'kuma.io/policy-role',
      'kuma.io/env',
      'kuma.io/zone',
      'k8s.kuma.io/namespace',
    ]) {
      expect(ignored).toContain(`.metadata.labels["${label}"]`);
    }
    expect(project.spec!.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'kuma-system' },
    ]);
    expect(project.spec!.namespaceResourceWhitelist).toEqual([{ group: 'kuma.io', kind: '*' }]);
  });

  it("applies every manifest a deploy writes and not the folder's provenance file", async () => {
    const include = appSet.spec!.template.spec.source!.directory!.include!;
    const paths = await deployedPaths();
    const inFolder = (path: string) => path.split('/').slice(3).join('/');
    expect(paths.filter((path) => matchesGlob(inFolder(path), include))).toEqual(
      paths.filter((path) => !path.endsWith('/.source.yaml')),
    );
    expect(paths.some((path) => path.endsWith('/.source.yaml'))).toBe(true);
    expect(paths.every((path) => matchesGlob(path.split('/').slice(0, 3).join('/'), 'apis/*/*'))).toBe(true);
  });
});

describe('Flux', () => {
  const source = new GitRepository(load('flux/gitrepository.yaml'));
  const kustomization = new Kustomization(load('flux/kustomization-apis.yaml'));

  it('is a valid GitRepository and Kustomization', () => {
    expect(() => source.validate()).not.toThrow();
    expect(() => kustomization.validate()).not.toThrow();
  });

  it('applies apis/ from that source with prune, without the provenance files', () => {
    expect(kustomization.spec!.sourceRef).toEqual({ kind: 'GitRepository', name: source.metadata!.name });
    expect(kustomization.spec!.path).toBe('./apis');
    expect(kustomization.spec!.prune).toBe(true);
    expect(source.spec!.ignore!.split('\n')).toEqual(['/*', '!/apis/', '/apis/**/.source.yaml', '']);
  });

  it('fails validation for a broken object (the models do check)', () => {
    const broken = new Kustomization({ ...load('flux/kustomization-apis.yaml'), spec: { path: './apis' } });
    expect(() => broken.validate()).toThrow();
  });
});
