/**
 * Every message a user can see, as a file snapshot, and the promise behind the hostile ones: text an API's spec or
 * repo controls (names, operation ids, summaries, paths, error messages quoting them) cannot mention people or
 * teams, reference issues, inject HTML or links, start a markdown block or break out of a code span.
 */
import { describe, expect, it } from 'vitest';
import type { DeployPlan } from '../../../shared/core/deploy/plan-deploy.js';
import type { Finding } from '../../../shared/core/findings.js';
import {
  buildCheckFailedResult,
  buildCheckRunResult,
  buildDeadlineResult,
  buildNoConfigResult,
  buildSupersededResult,
  type CheckRunResult,
} from '../../../shared/core/report/check-run.js';
import {
  buildDeployedComment,
  buildDeployFailedComment,
  buildDeployPullRequest,
  buildNotDeployedComment,
} from '../../../shared/core/report/deploy-comment.js';
import { buildDriftCheckRun } from '../../../shared/core/report/drift-report.js';
import { buildCommentBody, buildResolvedBody } from '../../../shared/core/report/pr-comment.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { finding, marker, report } from './pr-report.js';

/** What a hostile spec puts in a name, an operationId, a summary or a file name. */
const hostile =
  'x @org/team #1 <img src=x onerror=alert(1)> [click](javascript:alert(1)) `tick` ``` fence\n# heading\n* item https://evil.example www.evil.example';

const sha = 'c0ffee1234567890c0ffee1234567890c0ffee12';
// As the PR check builds it: each path segment URL-encoded.
const fileUrl = (file: string, line: number) =>
  `https://github.com/acme/pets/blob/${sha}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`;

const hostileFindings: Finding[] = [
  finding({
    kind: 'breaking',
    id: 'response-property-removed',
    severity: 'error',
    file: 'openapi/users.yaml',
    line: 12,
    operation: `GET /users ${hostile}`,
    message: `removed the property ${hostile} from the response`,
    hint: `ask ${hostile}`,
  }),
  finding({
    kind: 'lint',
    id: 'operation-summary',
    file: `openapi/${hostile}.yaml`,
    line: 3,
    operations: [`GET /a ${hostile}`, `POST /b ${hostile}`],
    message: hostile,
  }),
  // Only in the base: no line in the head commit, so the check run lists it in its text.
  finding({
    kind: 'breaking',
    id: 'api-removed-without-deprecation',
    severity: 'error',
    side: 'base',
    file: `openapi/${hostile}.yaml`,
    line: 40,
    operation: `DELETE /x ${hostile}`,
    message: `api removed without deprecation: ${hostile}`,
  }),
];

const hostileReport: CheckReport = {
  verdict: 'fail',
  reason: 'failed: 2 breaking changes',
  findings: hostileFindings,
  apis: [{ name: hostile, spec: `openapi/${hostile}.yaml`, headVersion: hostile, status: 'changed' }],
  notices: [`the gate settings of ${hostile} changed`],
};

/**
 * The markdown a reader sees as text: the marker, link destinations and code spans (nothing inside one is markup) taken out. As in
 * CommonMark, a backslash-escaped backtick opens nothing, and a run of backticks opens a span only when a run of
 * the same length closes it; an unclosed run stays in the text.
 */
function outsideCode(markdown: string): string {
  const text = markdown.replace(/<!--[^\n]*-->/g, '').replace(/\]\([^\s()]*\)/g, '](URL)');
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    const run = /^`+/.exec(text.slice(i))?.[0];
    if (!run) {
      out += text[i++];
      continue;
    }
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
    close.lastIndex = i + run.length;
    const end = close.exec(text);
    if (end) {
      out += ' CODE ';
      i = end.index + run.length;
    } else {
      out += run;
      i += run.length;
    }
  }
  return out;
}

/** Independent of the escaper: what must never be live in a message built from `hostile`. */
function expectInert(markdown: string): void {
  const text = outsideCode(markdown);
  expect(text).not.toMatch(/(^|[^\w])@org/); // a team mention
  expect(text).not.toMatch(/#1\b/); // an issue reference
  expect(text).not.toMatch(/<img/i); // HTML
  expect(text).not.toMatch(/(?<!\\)\]\(javascript:/); // a link
  expect(text).not.toMatch(/https:\/\/evil|www\.evil/); // an autolink
  expect(text).not.toMatch(/(?<!\\)`/); // a backtick that opens a code span the text does not close
  for (const line of markdown.split('\n')) {
    expect(line).not.toMatch(/^\s*(# heading|\* item)/); // a line the hostile text started
  }
}

const checkRunFile = (result: CheckRunResult) =>
  [
    `conclusion: ${result.conclusion}`,
    `title: ${result.title}`,
    '--- summary',
    result.summary,
    ...(result.text ? ['--- text', result.text] : []),
  ].join('\n');

describe('PR comment', () => {
  it('escapes every piece of spec text in the report and the mesh section', async () => {
    const body = buildCommentBody(
      hostileReport,
      marker,
      { fileUrl },
      {
        deployRepo: 'platform/deploy',
        folder: 'acme/pets',
        preview: { rendered: { findings: [] }, decision: { status: 'rejected', findings: [] } },
      },
    )!;
    await expect(body).toMatchFileSnapshot('./__snapshots__/user-text/comment-hostile.md');
    expectInert(body);
  });

  it('shows the mesh changes, names read back from the deploy repo only inside <code>, diffs in a fence they cannot close', async () => {
    const name = `MeshHTTPRoute pets/${hostile}`;
    const plan: DeployPlan = {
      sourceRepo: { owner: 'acme', repo: 'pets' },
      sourceSha: sha,
      folder: 'apis/acme/pets/',
      changes: [],
      summary: { added: 0, changed: 0, removed: 1 },
      message: '',
      resources: [
        {
          change: 'removed',
          api: 'pets',
          path: `apis/acme/pets/pets/${hostile}.yaml`,
          resource: name,
          before: `name: ${hostile}\n\`\`\`\`\n`,
        },
      ],
    };
    const body = buildCommentBody(
      report([]),
      marker,
      {},
      {
        deployRepo: 'platform/deploy',
        folder: plan.folder,
        preview: { rendered: { findings: [] }, decision: { status: 'planned', plan } },
      },
    )!;
    await expect(body).toMatchFileSnapshot('./__snapshots__/user-text/comment-mesh-changes-hostile.md');
    const summary = body.split('\n').find((line) => line.startsWith('<summary>'))!;
    // An HTML block: markdown escapes would show, so the name is entity-escaped and kept inside <code>.
    expect(summary.replace(/<code>[^<]*<\/code>/g, 'CODE')).toBe('<summary>➖ removed CODE (CODE)</summary>');
    expect(summary).not.toMatch(/<img/);
    const fence = body
      .split('\n')
      .find((line) => /^`{3,}diff$/.test(line))!
      .slice(0, -'diff'.length);
    const afterOpen = body.slice(body.indexOf(`${fence}diff`) + fence.length + 'diff'.length);
    expect(afterOpen.indexOf(`\n${fence}\n`)).toBe(afterOpen.lastIndexOf(fence) - 1);
    expect(afterOpen).toContain('-````');
  });

  it('says why the mesh changes are not available, escaped', async () => {
    const body = buildCommentBody(hostileReport, marker, {}, { unavailable: `deploy repo says ${hostile}` })!;
    await expect(body).toMatchFileSnapshot('./__snapshots__/user-text/comment-mesh-unavailable-hostile.md');
    expectInert(body);
  });

  it('says everything is resolved', async () => {
    await expect(buildResolvedBody(marker)).toMatchFileSnapshot(
      './__snapshots__/user-text/comment-resolved.md',
    );
  });
});

describe('check run', () => {
  it('escapes spec text in the summary and in the list of unannotated findings', async () => {
    const result = buildCheckRunResult(hostileReport, { fileUrl });
    await expect(checkRunFile(result)).toMatchFileSnapshot('./__snapshots__/user-text/check-run-hostile.md');
    expect(result.text).toBeDefined();
    expectInert(result.summary);
    expectInert(result.text!);
    // Annotations are plain text on GitHub: the message is kept as written, one per annotated finding.
    expect(result.annotations?.map((a) => a.title)).toEqual([
      'response-property-removed',
      'operation-summary',
    ]);
  });

  it('says our own failure, with the error escaped', async () => {
    const result = buildCheckFailedResult(`GitHub answered 404 (${hostile})`, false);
    await expect(checkRunFile(result)).toMatchFileSnapshot(
      './__snapshots__/user-text/check-failed-hostile.md',
    );
    expectInert(result.summary);
    expect(buildCheckFailedResult('timed out', true).summary).toContain('It will be retried automatically.');
  });

  it('says there is no config, the head moved, the deadline passed', async () => {
    await expect(checkRunFile(buildNoConfigResult())).toMatchFileSnapshot(
      './__snapshots__/user-text/check-run-no-config.md',
    );
    await expect(checkRunFile(buildSupersededResult(sha))).toMatchFileSnapshot(
      './__snapshots__/user-text/check-run-superseded.md',
    );
    await expect(checkRunFile(buildDeadlineResult('oasdiff', 240))).toMatchFileSnapshot(
      './__snapshots__/user-text/check-run-deadline.md',
    );
  });
});

describe('deploy comments', () => {
  const commit = { sha, url: `https://github.com/platform/deploy/commit/${sha}` };
  const summary = { added: 2, changed: 1, removed: 0 };

  it('says what was deployed, or proposed, where', async () => {
    await expect(
      buildDeployedComment({ deployRepo: 'platform/deploy', folder: 'acme/pets', summary, commit }),
    ).toMatchFileSnapshot('./__snapshots__/user-text/deploy-deployed.md');
    await expect(
      buildDeployedComment({
        deployRepo: 'platform/deploy@main',
        folder: 'acme/pets',
        summary,
        commit: { ...commit, pullRequestUrl: 'https://github.com/platform/deploy/pull/7' },
      }),
    ).toMatchFileSnapshot('./__snapshots__/user-text/deploy-proposed.md');
  });

  it('lists the problems of a refused commit, escaped', async () => {
    const many = Array.from({ length: 22 }, (_, i) => finding({ line: i + 1, message: `problem ${i}` }));
    const body = buildNotDeployedComment({
      deployRepo: 'platform/deploy',
      sha,
      findings: [...hostileFindings, ...many],
    });
    await expect(body).toMatchFileSnapshot('./__snapshots__/user-text/deploy-not-deployed-hostile.md');
    expectInert(body);
    expect(body).toContain('- … and 5 more');
  });

  it('says a deploy failed on our side, with the error escaped', async () => {
    const body = buildDeployFailedComment({
      deployRepo: 'platform/deploy',
      sha,
      reason: `could not read ${hostile}`,
    });
    await expect(body).toMatchFileSnapshot('./__snapshots__/user-text/deploy-failed-hostile.md');
    expectInert(body);
  });

  it('proposes a deploy in a pull request whose code block a spec path cannot close', async () => {
    const message = `Deploy acme/pets@c0ffee1: 1 added, 0 changed, 0 removed\n\nSpec files:\n  openapi/${hostile.replace(/\n/g, ' ')}.yaml\n  \`\`\`\`\`\n`;
    const pr = buildDeployPullRequest(message);
    await expect(`${pr.title}\n---\n${pr.body}`).toMatchFileSnapshot(
      './__snapshots__/user-text/deploy-pull-request-hostile.md',
    );
    const fence = pr.body.split('\n')[0]!;
    expect(fence).toMatch(/^`{3,}$/);
    // The fence opens and closes the block and occurs nowhere in between.
    expect(pr.body.split(fence)).toHaveLength(3);
    expect(pr.body.endsWith(`\n${fence}\n`)).toBe(true);
  });
});

describe('drift', () => {
  // A deploy repo's paths are whatever someone with push access commits: any byte but NUL.
  const folder = 'apis/acme/pets/';
  const drifted = [
    { path: `${folder}pets/meshhttproute-pets.yaml`, change: 'changed' as const },
    { path: `${folder}pets/${hostile}.yaml`, change: 'added' as const },
    { path: `${folder}pets/meshtimeout-pets.yaml`, change: 'deleted' as const },
  ];

  it('lists the hand edits of a push per source repo, paths inert', async () => {
    const result = buildDriftCheckRun('platform/deploy', [
      { repo: { owner: 'acme', repo: 'pets' }, folder, files: drifted, deployedCommit: sha },
      {
        repo: { owner: 'acme', repo: 'shop' },
        folder: 'apis/acme/shop/',
        files: [],
        record: 'replaced',
        deployedCommit: sha,
      },
    ]);
    await expect(checkRunFile(result)).toMatchFileSnapshot(
      './__snapshots__/user-text/drift-check-run-hostile.md',
    );
    expectInert(result.summary);
    expect(result.conclusion).toBe('failure');
  });

  it('the deployed comment says which hand edits the deploy overwrote', async () => {
    const body = buildDeployedComment({
      deployRepo: 'platform/deploy',
      folder,
      summary: { added: 1, changed: 1, removed: 1 },
      commit: { sha, url: `https://github.com/platform/deploy/commit/${sha}` },
      overwrote: drifted,
    });
    await expect(body).toMatchFileSnapshot('./__snapshots__/user-text/deploy-deployed-overwrote-hostile.md');
    expectInert(body);
  });
});
