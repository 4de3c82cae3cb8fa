/**
 * The web pages behind the local GitHub's `html_url`s (`/_html/…`): minimal read-only views of a repository, a
 * pull request (its comments and check runs), a check run (its annotations), a commit (its changed files) and a
 * file (lines anchored `#L<n>`), from the same state the REST routes serve. So the links in the App's local
 * comments open. Not part of the route table: GitHub serves these pages outside its REST API.
 * @module
 */
import { Hono } from 'hono';
import type { Hub } from './hub.js';
import type { CheckRunRecord, RepoRecord } from './state.js';

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Escaped text with its http(s) URLs made links (comments are Markdown: shown as source, links clickable). */
function linked(text: string): string {
  return esc(text).replace(/https?:\/\/[^\s)<>"'\]`]+/g, (url) => `<a href="${url}">${url}</a>`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}pre{background:#f6f8fa;padding:1em;overflow:auto;white-space:pre-wrap}
.line{display:block}.line:target{background:#fff8c5}td{padding:0 1em 0 0;vertical-align:top}
</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

export function htmlViews(hub: Hub): Hono {
  const web = new Hono();
  const base = () => hub.urls.html;
  const repoLink = (repo: RepoRecord) => `${base()}/${repo.owner.login}/${repo.name}`;
  const runLine = (repo: RepoRecord, run: CheckRunRecord) =>
    `<li><a href="${repoLink(repo)}/runs/${run.id}">${esc(run.name)}</a>: ${esc(run.conclusion ?? run.status)} — ${esc(run.output.title ?? '')}</li>`;
  const find = (owner: string, name: string) => hub.state.repo(owner, name);
  const notFound = (what: string) => page('Not Found', `<p>${esc(what)}</p>`);

  web.get('/:owner/:repo', async (c) => {
    const repo = find(c.req.param('owner'), c.req.param('repo'));
    if (!repo) return c.html(notFound('no such repository'), 404);
    const sha = await repo.git.resolveCommit(repo.defaultBranch);
    const files = sha ? (await repo.git.readTree(sha, true)).filter((e) => e.type === 'blob') : [];
    const pulls = [...repo.pulls.values()]
      .map(
        (p) =>
          `<li><a href="${repoLink(repo)}/pull/${p.number}">#${p.number}</a> ${esc(p.title)} (${p.mergedAt ? 'merged' : p.state})</li>`,
      )
      .join('');
    const tree = files
      .map((f) => `<li><a href="${repoLink(repo)}/blob/${sha}/${esc(f.path)}">${esc(f.path)}</a></li>`)
      .join('');
    return c.html(
      page(
        `${repo.owner.login}/${repo.name}`,
        `<h2>Pull requests</h2><ul>${pulls || '<li>none</li>'}</ul>` +
          (sha
            ? `<h2>${esc(repo.defaultBranch)} at <a href="${repoLink(repo)}/commit/${sha}">${sha.slice(0, 7)}</a></h2><ul>${tree}</ul>`
            : ''),
      ),
    );
  });

  web.get('/:owner/:repo/pull/:number', async (c) => {
    const repo = find(c.req.param('owner'), c.req.param('repo'));
    const pull = repo?.pulls.get(Number(c.req.param('number')));
    if (!repo || !pull) return c.html(notFound('no such pull request'), 404);
    const head = pull.frozen?.head ?? (await repo.git.resolveCommit(pull.headRef));
    const runs = [...repo.checkRuns.values()].filter((r) => r.headSha === head).map((r) => runLine(repo, r));
    const comments = [...repo.comments.values()]
      .filter((comment) => comment.issueNumber === pull.number)
      .map(
        (comment) =>
          `<h3 id="issuecomment-${comment.id}">${esc(comment.user.login)} · ${esc(comment.updatedAt)}</h3><pre>${linked(comment.body)}</pre>`,
      )
      .join('');
    const state = pull.mergedAt
      ? `merged as <a href="${repoLink(repo)}/commit/${pull.mergeCommitSha}">${pull.mergeCommitSha?.slice(0, 7)}</a>`
      : esc(pull.state);
    return c.html(
      page(
        `#${pull.number} ${pull.title}`,
        `<p><a href="${repoLink(repo)}">${esc(`${repo.owner.login}/${repo.name}`)}</a> · ${esc(pull.headRef)} → ${esc(pull.baseRef)} · ${state}` +
          (head ? ` · head <a href="${repoLink(repo)}/commit/${head}">${head.slice(0, 7)}</a>` : '') +
          `</p><h2>Checks</h2><ul>${runs.join('') || '<li>none</li>'}</ul><h2>Comments</h2>${comments || '<p>none</p>'}`,
      ),
    );
  });

  web.get('/:owner/:repo/runs/:id', (c) => {
    const repo = find(c.req.param('owner'), c.req.param('repo'));
    const run = repo?.checkRuns.get(Number(c.req.param('id')));
    if (!repo || !run) return c.html(notFound('no such check run'), 404);
    const annotations = run.annotations
      .map(
        (a) =>
          `<tr><td><a href="${repoLink(repo)}/blob/${run.headSha}/${esc(a.path)}#L${a.start_line}">${esc(a.path)}:${a.start_line}</a></td><td>${esc(a.annotation_level)}</td><td>${esc(a.title ?? '')}</td><td>${linked(a.message)}</td></tr>`,
      )
      .join('');
    return c.html(
      page(
        `${run.name}: ${run.conclusion ?? run.status}`,
        `<p>${esc(run.output.title ?? '')} · head <a href="${repoLink(repo)}/commit/${run.headSha}">${run.headSha.slice(0, 7)}</a></p>` +
          `<h2>Annotations (${run.annotations.length})</h2><table>${annotations}</table>` +
          `<h2>Summary</h2><pre>${linked(run.output.summary ?? '')}</pre>` +
          (run.output.text ? `<h2>Details</h2><pre>${linked(run.output.text)}</pre>` : ''),
      ),
    );
  });

  web.get('/:owner/:repo/commit/:sha', async (c) => {
    const repo = find(c.req.param('owner'), c.req.param('repo'));
    const sha = repo && (await repo.git.resolveCommit(c.req.param('sha')));
    if (!repo || !sha) return c.html(notFound('no such commit'), 404);
    const commit = await repo.git.readCommit(sha);
    const parent = commit.parents[0];
    const changed = parent ? await repo.git.diffFiles(parent, sha) : [];
    const rows = changed
      .map(
        (f) =>
          `<tr><td>${f.status}</td><td>${f.status === 'removed' ? esc(f.path) : `<a href="${repoLink(repo)}/blob/${sha}/${esc(f.path)}">${esc(f.path)}</a>`}</td><td>+${f.additions} −${f.deletions}</td></tr>`,
      )
      .join('');
    return c.html(
      page(
        `${repo.owner.login}/${repo.name} ${sha.slice(0, 7)}`,
        `<p>${esc(commit.author.name)} · ${esc(commit.author.date)}${parent ? ` · parent <a href="${repoLink(repo)}/commit/${parent}">${parent.slice(0, 7)}</a>` : ''}</p>` +
          `<pre>${linked(commit.message)}</pre><h2>Files changed (${changed.length})</h2><table>${rows}</table>`,
      ),
    );
  });

  web.get('/:owner/:repo/blob/:ref/:path{.+}', async (c) => {
    const repo = find(c.req.param('owner'), c.req.param('repo'));
    const sha = repo && (await repo.git.resolveCommit(c.req.param('ref')));
    const entry = repo && sha ? await repo.git.entryAt(sha, c.req.param('path')) : undefined;
    if (!repo || !entry || entry.type !== 'blob') return c.html(notFound('no such file'), 404);
    const lines = (await repo.git.readBlob(entry.sha)).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const body = lines
      .map((line, i) => `<span class="line" id="L${i + 1}">${String(i + 1).padStart(5)}  ${esc(line)}</span>`)
      .join('');
    return c.html(
      page(
        `${entry.path} at ${c.req.param('ref').slice(0, 12)}`,
        `<p><a href="${repoLink(repo)}">${esc(`${repo.owner.login}/${repo.name}`)}</a></p><pre>${body}</pre>`,
      ),
    );
  });

  return web;
}
