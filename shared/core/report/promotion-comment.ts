/**
 * The comment a refused promotion leaves on the pull request that merged the tagged commit: which environment
 * it was not promoted to and why, in words that say what to do. (A promotion that deploys leaves the deploy's own
 * "deployed to" comment, naming the environment.) The tag name is the pusher's text: shown as code only.
 * @module
 */
import type { ApprovalRefusal } from '../deploy/approval-promotion.js';
import type { PromotionRefusal } from '../deploy/environments.js';
import { deployCommentMarker } from './deploy-comment.js';
import { escapeMarkdown, inlineCode } from './escape.js';

export interface NotPromotedInput {
  /** What asked for the promotion: a tag, or (`approval`) the approved deploy PR, e.g. `platform/deploy-staging#3`. */
  tag?: string;
  approval?: string;
  /** Or the soak of a time rule (`24h`). */
  after?: string;
  sha: string;
  /** The environment the tag promotes into, and the one before it. */
  target: string;
  previous: string;
  reason: PromotionRefusal;
  /** The commits the environment before and the target run (undefined: none of this repo). */
  previousRuns?: string;
  targetRuns?: string;
}

const short = (sha: string) => inlineCode(sha.slice(0, 7));

export function buildNotPromotedComment(input: NotPromotedInput): string {
  const { sha, target, previous } = input;
  const trigger =
    input.after !== undefined
      ? `${inlineCode(input.after)} after its deploy to ${previous}`
      : input.approval === undefined
        ? `tag ${inlineCode(input.tag ?? '')}`
        : `the approved deploy PR ${inlineCode(input.approval)}`;
  const why: Record<PromotionRefusal, string> = {
    'tag-moved': `the tag no longer names ${short(sha)}: it was deleted or moved since this push, and only the commit it names now can be promoted (by its own push).`,
    'not-in-previous': `${previous} runs ${input.previousRuns ? `${short(input.previousRuns)}, which neither is ${short(sha)} nor contains it` : 'nothing of this repo'}. A commit reaches ${target} only after it runs in ${previous}: merge it, let it deploy to ${previous}, then tag it again.`,
    'already-there': `${target} runs ${short(sha)} already.`,
    'older-than-target': `${target} runs ${short(input.targetRuns ?? '')}, a newer commit: an older commit never overwrites a newer one. Tag a commit that contains it.`,
  };
  return [
    deployCommentMarker,
    `⏸️ **Not promoted** to ${target}: ${trigger} (commit ${short(sha)}), because ${why[input.reason]} Nothing was written.`,
    '',
  ].join('\n');
}

/**
 * The comment on a merged deploy PR whose merge does not promote (promotion by approval): why, and what to do.
 * `detail` names GitHub logins (who pushed, who asked for changes).
 */
export function buildApprovalRefusedComment(input: {
  target: string;
  reason: ApprovalRefusal;
  detail?: string;
}): string {
  const who = input.detail ? inlineCode(input.detail) : 'someone';
  const why: Record<ApprovalRefusal, string> = {
    'not-merged': 'it was closed without merging.',
    'not-a-deploy-pull': 'it is not a deploy PR of this App.',
    'edited-by-hand': `${who} pushed commits to it after the App: hand-edited content is never promoted on an approval. Let the next deploy rewrite the PR (or revert the edit), then approve and merge that.`,
    'source-not-merged': `its \`.source.yaml\` names a commit that is not on the source repo's default branch: only merged commits are promoted.`,
    'changes-requested': `${who} requested changes: their latest review must be an approval.`,
    'not-approved': 'no one with write access to this repo approved its head commit before the merge.',
  };
  return [
    deployCommentMarker,
    `⏸️ **Not promoted** to ${escapeMarkdown(input.target)}: this deploy PR was merged, but ${why[input.reason]} Nothing was written there.`,
    '',
  ].join('\n');
}
