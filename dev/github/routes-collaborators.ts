/**
 * Who may do what on a repo, and labels the App adds: a collaborator's permission level, and adding labels to a
 * pull request (which, as on GitHub, sends `pull_request.labeled` with the App's bot as its sender).
 * @module
 */
import { addLabel } from './admin.js';
import { type Handler, notFound, unprocessable } from './http.js';
import { buildLabel, buildUser } from './shapes.js';
import type { Role } from './state.js';
import { buildLabelField, buildPullRequestEvent, deliverWebhook } from './webhooks.js';

/** `permission` as GitHub answers it: maintain counts as write, triage as read. */
const PERMISSION: Record<Role | 'none', string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

export const getCollaboratorPermission: Handler = ({ hub, repo, params }) => {
  const account = hub.state.accounts.get(String(params.username).toLowerCase());
  if (!account) throw notFound();
  const role = repo.collaborators.get(account.login.toLowerCase()) ?? 'none';
  const permission = PERMISSION[role];
  return {
    status: 200,
    body: {
      permission,
      role_name: role === 'none' ? 'none' : role,
      user: {
        ...buildUser(hub.urls, account),
        permissions: {
          admin: permission === 'admin',
          maintain: role === 'maintain' || permission === 'admin',
          push: permission === 'admin' || permission === 'write',
          triage: permission !== 'none',
          pull: permission !== 'none',
        },
        role_name: role === 'none' ? 'none' : role,
      },
    },
  };
};

export const addLabels: Handler = async ({ hub, repo, params, body, app }) => {
  const pull = repo.pulls.get(Number(params.issue_number));
  if (!pull) throw notFound();
  const raw = Array.isArray(body) ? body : body.labels;
  const names = Array.isArray(raw)
    ? raw.map((item) => (typeof item === 'string' ? item : (item as { name?: unknown })?.name))
    : [];
  if (names.length === 0 || names.some((name) => typeof name !== 'string' || name === ''))
    throw unprocessable('Invalid request.\n\nNo labels given.');
  const added = (names as string[]).filter((name) => addLabel(hub, repo, pull, name));
  // GitHub sends the event for each label the request added, as the App's bot; delivered before the answer so
  // a test that waits for the App's queue sees it.
  const installation = app && hub.state.installationFor(repo.owner.login, app.id);
  if (app?.webhookUrl && installation) {
    for (const name of added) {
      const event = await buildPullRequestEvent(
        hub,
        repo,
        pull,
        'labeled',
        buildLabelField(hub, repo, name),
        app.bot,
      );
      await deliverWebhook(event, { url: app.webhookUrl, secret: app.webhookSecret ?? '', appId: app.id });
    }
  }
  const labels = pull.labels.flatMap((name) => {
    const label = repo.labels.get(name);
    return label ? [buildLabel(hub.urls, repo, label)] : [];
  });
  return { status: 200, body: labels };
};
