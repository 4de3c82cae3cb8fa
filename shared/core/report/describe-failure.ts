/**
 * Our own failure in one short line for the user (a check run, the "preview not available" note): which service
 * answered what, or did not answer, never a stack trace.
 * @module
 */
import { toUpstreamError } from '../errors.js';
import { clipText } from './clip-text.js';

export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = clipText(message.split('\n')[0] ?? '', 200);
  const upstream = toUpstreamError(error);
  if (upstream?.status === undefined) return clipText(first, 300);
  if (!upstream.answered) return `${upstream.service} did not answer (${first})`;
  return `${upstream.service} answered ${upstream.status} (${first})`;
}
