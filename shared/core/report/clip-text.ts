/**
 * Cutting one piece of text to a host's field limit (an annotation message, a title, a quoted error).
 * @module
 */

/** `text` within `max` characters, ending in `…` when it was cut. */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
