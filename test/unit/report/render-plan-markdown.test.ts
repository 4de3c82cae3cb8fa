import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import { renderPlanMarkdown } from '../../../shared/core/report/render-plan-markdown.js';
import { applyChanges, renderFiles } from '../deploy/helpers.js';

const sha1 = 'a'.repeat(40);
const sha2 = 'b'.repeat(40);

async function render(options: Parameters<typeof renderFiles>[0] = {}) {
  const rendered = await renderFiles(options);
  return { rendered: rendered.apis, inputs: rendered.inputs };
}

describe('renderPlanMarkdown', () => {
  it('lists added, changed and removed resources with their YAML diffs folded', async () => {
    const first = planDeploy({ sourceRepo: 'acme/pets', sourceSha: sha1, current: [], ...(await render()) });
    const current = applyChanges([], first.changes);
    const next = planDeploy({
      sourceRepo: 'acme/pets',
      sourceSha: sha2,
      current,
      ...(await render({ name: 'pets', namespace: 'pets', paths: ['/pets', '/toys'] })),
    });
    await expect(renderPlanMarkdown(next, { deployRepo: 'platform/deploy' })).toMatchFileSnapshot(
      '__snapshots__/mesh-changes.md',
    );
    await expect(renderPlanMarkdown(first)).toMatchFileSnapshot('__snapshots__/mesh-changes-first.md');
  });
});
