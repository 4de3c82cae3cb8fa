import { describe, expect, it } from 'vitest';
import { assertInsideFolder } from '../../../shared/core/deploy/deploy-paths.js';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import { parseSourceRecord } from '../../../shared/core/deploy/source-record.js';
import { renderPlanMarkdown } from '../../../shared/core/report/render-plan-markdown.js';
import { applyChanges, renderFiles } from './helpers.js';

const sha1 = 'a'.repeat(40);
const sha2 = 'b'.repeat(40);

async function render(options: Parameters<typeof renderFiles>[0] = {}) {
  const rendered = await renderFiles(options);
  return { rendered: rendered.apis, inputs: rendered.inputs };
}

describe('planDeploy', () => {
  it('writes every manifest and the source record on the first deploy, with a provenance message', async () => {
    const plan = planDeploy({
      sourceRepo: 'Acme/Pets',
      sourceSha: sha1,
      pullNumber: 7,
      current: [],
      ...(await render()),
    });
    expect(plan.folder).toBe('apis/acme/pets/');
    expect(plan.changes.map((c) => c.path)).toEqual([
      'apis/acme/pets/pets/meshhttproute-pets.yaml',
      'apis/acme/pets/pets/meshtrafficpermission-pets-pets-from-gateway.yaml',
      'apis/acme/pets/.source.yaml',
    ]);
    expect(plan.summary).toEqual({ added: 2, changed: 0, removed: 0 });
    const lines = plan.message.split('\n');
    expect(lines[0]).toBe('Deploy Acme/Pets@aaaaaaa (#7): 2 added, 0 changed, 0 removed');
    expect(plan.message).toContain(`Source: Acme/Pets commit ${sha1}\nPull request: Acme/Pets#7\n`);
    expect(plan.message).toMatch(
      /Spec files:\n {2}\.kuma-api-forge\.yaml sha256:[0-9a-f]{64}\n {2}openapi\.yaml sha256:[0-9a-f]{64}\n/,
    );
    expect(plan.message).toContain(
      '  + MeshHTTPRoute kuma-system/pets (apis/acme/pets/pets/meshhttproute-pets.yaml)',
    );
    expect(plan.message).toContain(`Kuma-Api-Forge-Source: Acme/Pets@${sha1}`);
    const record = parseSourceRecord(plan.changes.at(-1)!.content!);
    expect(record).toMatchObject({ repo: 'Acme/Pets', commit: sha1, pullRequest: 7 });
    expect(record?.resources).toEqual([
      'MeshHTTPRoute kuma-system/pets',
      'MeshTrafficPermission kuma-system/pets-pets-from-gateway',
    ]);
    expect(record?.routes.map((r) => `${r.method} ${r.path.value} ${r.hostnames}`)).toEqual([
      'GET /pets-api/pets pets.example.com',
      'GET ^/pets-api/pets/[^/]+$ pets.example.com',
    ]);
  });

  it('plans nothing when the deploy repo already holds this render, even from a newer commit', async () => {
    const first = planDeploy({ sourceRepo: 'acme/pets', sourceSha: sha1, current: [], ...(await render()) });
    const current = applyChanges([], first.changes);
    const again = planDeploy({ sourceRepo: 'acme/pets', sourceSha: sha2, current, ...(await render()) });
    expect(again.changes).toEqual([]);
    expect(renderPlanMarkdown(again)).toContain('No mesh changes');
  });

  it('changes what differs and prunes what is no longer rendered', async () => {
    const first = planDeploy({ sourceRepo: 'acme/pets', sourceSha: sha1, current: [], ...(await render()) });
    const current = [
      ...applyChanges([], first.changes),
      { path: 'apis/acme/pets/old-api/meshhttproute-old.yaml', sha: 'c'.repeat(40) },
    ];
    const next = planDeploy({
      sourceRepo: 'acme/pets',
      sourceSha: sha2,
      current,
      ...(await render({ paths: ['/pets', '/pets/{petId}', '/toys'] })),
    });
    expect(next.changes.map((c) => `${c.content === null ? 'delete' : 'write'} ${c.path}`)).toEqual([
      'delete apis/acme/pets/old-api/meshhttproute-old.yaml',
      'write apis/acme/pets/pets/meshhttproute-pets.yaml',
      'write apis/acme/pets/.source.yaml',
    ]);
    expect(next.summary).toEqual({ added: 0, changed: 1, removed: 1 });
    expect(next.message).toContain('Changed:\n  ~ MeshHTTPRoute kuma-system/pets');
    expect(next.message).toContain('Removed:\n  - apis/acme/pets/old-api/meshhttproute-old.yaml');
  });

  it('removes every manifest of a repo that renders nothing, keeping its source record', async () => {
    const first = planDeploy({ sourceRepo: 'acme/pets', sourceSha: sha1, current: [], ...(await render()) });
    const gone = planDeploy({
      sourceRepo: 'acme/pets',
      sourceSha: sha2,
      current: applyChanges([], first.changes),
      rendered: [],
    });
    expect(gone.changes.filter((c) => c.content === null).map((c) => c.path)).toEqual([
      'apis/acme/pets/pets/meshhttproute-pets.yaml',
      'apis/acme/pets/pets/meshtrafficpermission-pets-pets-from-gateway.yaml',
    ]);
    expect(parseSourceRecord(gone.changes.at(-1)!.content!)?.commit).toBe(sha2);
  });

  it('refuses names that would leave the folder', async () => {
    const { rendered } = await render();
    const bad = (name: string, file = 'a.yaml') =>
      planDeploy({
        sourceRepo: 'acme/pets',
        sourceSha: sha1,
        current: [],
        rendered: [{ ...rendered[0]!, name, files: [{ path: file, content: 'x: 1\n' }] }],
      });
    expect(() => bad('..')).toThrow(/cannot be a folder/);
    expect(() => bad('a/b')).toThrow(/cannot be a folder/);
    expect(() => bad('ok', '../../tenants.yaml')).toThrow(/cannot be a file name/);
    expect(() => bad('ok', '.source.yaml')).toThrow(/cannot be a file name/);
    expect(() => planDeploy({ sourceRepo: '../x', sourceSha: sha1, current: [], rendered: [] })).toThrow(
      /not a repository/,
    );
    expect(() => assertInsideFolder(['apis/acme/pets/a.yaml', 'tenants.yaml'], 'apis/acme/pets/')).toThrow(
      /refusing to write "tenants.yaml"/,
    );
    expect(() => assertInsideFolder(['apis/acme/pets/../globex/a.yaml'], 'apis/acme/pets/')).toThrow(
      /outside/,
    );
  });
});
