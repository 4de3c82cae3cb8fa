/**
 * Check runs with GitHub's limits: ≤ 50 annotations per request (accumulated across updates), summary and
 * text ≤ 65,535 characters, a conclusion when completed.
 * @module
 */
import { type Handler, notFound, type RouteContext, requireString, unprocessable } from './http.js';
import { buildCheckRun } from './shapes.js';
import type { AnnotationRecord, CheckRunRecord } from './state.js';

export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_OUTPUT_LENGTH = 65_535;

const STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
];
const LEVELS = ['notice', 'warning', 'failure'];
/** GitHub's limits on a run's buttons: three, with label and identifier ≤ 20 characters, description ≤ 40. */
const ACTION_LIMITS = { count: 3, label: 20, identifier: 20, description: 40 } as const;

function readActions(list: unknown): CheckRunRecord['actions'] {
  if (!Array.isArray(list)) throw invalid('actions must be an array');
  if (list.length > ACTION_LIMITS.count) throw invalid(`only ${ACTION_LIMITS.count} actions are allowed`);
  return list.map((raw: Record<string, unknown>, index) => {
    const action = {
      label: requireString(raw, 'label'),
      description: requireString(raw, 'description'),
      identifier: requireString(raw, 'identifier'),
    };
    for (const field of ['label', 'description', 'identifier'] as const) {
      if (action[field].length > ACTION_LIMITS[field])
        throw invalid(`actions[${index}].${field} is longer than ${ACTION_LIMITS[field]} characters`);
    }
    return action;
  });
}

const invalid = (message: string) =>
  unprocessable('Invalid request.', [{ resource: 'CheckRun', code: 'invalid', message }]);

function readAnnotations(output: Record<string, unknown>): AnnotationRecord[] {
  const list = output.annotations;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw invalid('output.annotations must be an array');
  if (list.length > MAX_ANNOTATIONS_PER_REQUEST) {
    throw unprocessable('Invalid request.\n\nOnly 50 annotations are allowed per request.');
  }
  return list.map((raw: Record<string, unknown>, index) => {
    const { path, start_line, end_line, annotation_level, message } = raw;
    if (
      typeof path !== 'string' ||
      typeof message !== 'string' ||
      !Number.isInteger(start_line) ||
      !Number.isInteger(end_line)
    ) {
      throw invalid(`annotation ${index}: path, start_line, end_line and message are required`);
    }
    if (typeof annotation_level !== 'string' || !LEVELS.includes(annotation_level)) {
      throw invalid(`annotation ${index}: annotation_level must be one of ${LEVELS.join(', ')}`);
    }
    const columns = raw.start_column !== undefined || raw.end_column !== undefined;
    if (columns && start_line !== end_line)
      throw invalid(`annotation ${index}: columns need start_line == end_line`);
    return {
      path,
      start_line: start_line as number,
      end_line: end_line as number,
      start_column: typeof raw.start_column === 'number' ? raw.start_column : null,
      end_column: typeof raw.end_column === 'number' ? raw.end_column : null,
      annotation_level,
      title: typeof raw.title === 'string' ? raw.title : null,
      message,
      raw_details: typeof raw.raw_details === 'string' ? raw.raw_details : null,
    };
  });
}

/** Applies a create/update body to a run: status and conclusion rules, output, accumulated annotations. */
function applyCheckBody(run: CheckRunRecord, body: Record<string, unknown>, now: string, creating: boolean) {
  if (typeof body.name === 'string') run.name = body.name;
  if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
  if (typeof body.external_id === 'string') run.externalId = body.external_id;
  if (typeof body.started_at === 'string') run.startedAt = body.started_at;
  if (body.actions !== undefined) run.actions = readActions(body.actions);
  if (body.status !== undefined) {
    if (typeof body.status !== 'string' || !STATUSES.includes(body.status))
      throw invalid(`status ${String(body.status)} is not valid`);
    run.status = body.status;
  }
  if (body.conclusion !== undefined) {
    if (typeof body.conclusion !== 'string' || !CONCLUSIONS.includes(body.conclusion)) {
      throw invalid(`conclusion ${String(body.conclusion)} is not valid`);
    }
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed' && run.conclusion === null) {
    throw unprocessable('Invalid request.\n\n"conclusion" wasn\'t supplied.');
  }
  if (run.status === 'completed')
    run.completedAt = typeof body.completed_at === 'string' ? body.completed_at : (run.completedAt ?? now);
  if (body.output !== undefined) {
    const output = body.output as Record<string, unknown>;
    if (!output || typeof output !== 'object') throw invalid('output must be an object');
    if (creating || output.title !== undefined || output.summary !== undefined) {
      run.output.title = requireString(output, 'title');
      run.output.summary = requireString(output, 'summary');
    }
    if (typeof output.text === 'string') run.output.text = output.text;
    for (const [field, value] of [
      ['summary', run.output.summary],
      ['text', run.output.text],
    ] as const) {
      if ((value?.length ?? 0) > MAX_OUTPUT_LENGTH) {
        throw unprocessable('Invalid request.', [
          {
            resource: 'CheckRun',
            code: 'custom',
            field: `output.${field}`,
            message: `Only ${MAX_OUTPUT_LENGTH} characters are allowed; ${value?.length} were supplied.`,
          },
        ]);
      }
    }
    // Like GitHub, each update's annotations are appended to the run's, never replacing them.
    run.annotations.push(...readAnnotations(output));
  }
}

async function renderRun(ctx: RouteContext, run: CheckRunRecord) {
  const { hub, repo } = ctx;
  return buildCheckRun(
    hub.urls,
    repo,
    run,
    hub.appJson(run.appId),
    await hub.pullsWithHead(repo, run.headSha),
  );
}

export const createCheckRun: Handler = async (ctx) => {
  const { hub, repo, body, app } = ctx;
  const name = requireString(body, 'name');
  const headSha = requireString(body, 'head_sha');
  if (!/^[0-9a-f]{40}$/.test(headSha) || (await repo.git.objectType(headSha)) !== 'commit') {
    throw unprocessable(`No commit found for SHA: ${headSha}`);
  }
  const now = hub.now();
  const run: CheckRunRecord = {
    id: hub.state.nextId(),
    suiteId: hub.state.suiteId(repo, headSha, app!.id),
    appId: app!.id,
    name,
    headSha,
    status: 'queued',
    conclusion: null,
    startedAt: now,
    completedAt: null,
    externalId: null,
    detailsUrl: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    actions: [],
  };
  applyCheckBody(run, body, now, true);
  repo.checkRuns.set(run.id, run);
  return { status: 201, body: await renderRun(ctx, run) };
};

export const updateCheckRun: Handler = async (ctx) => {
  const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
  if (!run || run.appId !== ctx.app?.id) throw notFound();
  // Validate on a copy so a rejected update leaves the run as it was.
  const next: CheckRunRecord = structuredClone(run);
  applyCheckBody(next, ctx.body, ctx.hub.now(), false);
  Object.assign(run, next);
  return { status: 200, body: await renderRun(ctx, run) };
};
