/**
 * The comment a refused promotion leaves on the pull request that merged the tagged commit: which environment
 * it was not promoted to and why, in words that say what to do. (A promotion that deploys leaves the deploy's own
 * "deployed to" comment, naming the environment.) The tag name is the pusher's text: shown as code only.
 * @module
 */
import type { PromotionRefusal } from '../deploy/environments.js';
import { deployCommentMarker } from './deploy-comment.js';
import { inlineCode } from './escape.js';

export interface NotPromotedInput {
  tag: string;
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
  const { tag, sha, target, previous } = input;
  const why: Record<PromotionRefusal, string> = {
    'tag-moved': `the tag no longer names ${short(sha)}: it was deleted or moved since this push, and only the commit it names now can be promoted (by its own push).`,
    'not-in-previous': `${previous} runs ${input.previousRuns ? `${short(input.previousRuns)}, which neither is ${short(sha)} nor contains it` : 'nothing of this repo'}. A commit reaches ${target} only after it runs in ${previous}: merge it, let it deploy to ${previous}, then tag it again.`,
    'already-there': `${target} runs ${short(sha)} already.`,
    'older-than-target': `${target} runs ${short(input.targetRuns ?? '')}, a newer commit: an older commit never overwrites a newer one. Tag a commit that contains it.`,
  };
  return [
    deployCommentMarker,
    `⏸️ **Not promoted** to ${target}: tag ${inlineCode(tag)} (commit ${short(sha)}), because ${why[input.reason]} Nothing was written.`,
    '',
  ].join('\n');
}
