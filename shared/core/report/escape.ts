/**
 * Neutralising user-controlled text (spec messages, paths, operation names) before it reaches a PR comment or a
 * terminal: a spec must not be able to inject markdown/HTML, ping people, cross-reference issues or send escape
 * sequences to a terminal. The one escaper of every message builder (`core/report`): prose goes through
 * `escapeMarkdown` (or `escapeMessage` when its `backticks` name things), names and paths through `codeHtml` or
 * `inlineCode`, link targets through `escapeUrl`, terminal lines through `sanitizeTerminal`.
 * @module
 */

const zeroWidthSpace = '&#8203;';

/**
 * Escapes text for GitHub-flavoured markdown, inline context (also safe inside `<code>` and table cells): HTML
 * special characters become entities, the punctuation that can start inline markup is backslash-escaped (user text
 * never starts a line, so block syntax needs no escaping), line breaks become spaces, and a zero-width space breaks
 * `@mention`, `#123` and bare-URL autolinks (the same trick Renovate uses).
 */
export function escapeMarkdown(text: string): string {
  return stripControl(text)
    .replace(/[&<>"]/g, (c) => htmlEntities[c] ?? c)
    .replace(/[\\`*_[\]|~$]/g, '\\$&')
    .replace(/#(?=\d)/g, `#${zeroWidthSpace}`)
    .replace(/@/g, `@${zeroWidthSpace}`)
    .replace(/:\/\//g, `:${zeroWidthSpace}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${zeroWidthSpace}.`);
}

/**
 * Text that may hold `backticked` spans (oasdiff and lint messages use them for names), escaped; the spans become
 * `<code>`. An unpaired backtick stays literal text.
 */
export function escapeMessage(message: string): string {
  const pieces = message.split('`');
  // An even number of pieces means an unpaired backtick: the last one stays literal text.
  const unpaired = pieces.length % 2 === 0 ? pieces.splice(-2, 2).join('`') : undefined;
  const html = pieces.map((piece, i) => (i % 2 === 1 ? codeHtml(piece) : escapeMarkdown(piece))).join('');
  return unpaired === undefined ? html : `${html}${escapeMarkdown(unpaired)}`;
}

/** `text` as an HTML `<code>` element, escaped (for names and paths next to other escaped text). */
export function codeHtml(text: string): string {
  return `<code>${escapeMarkdown(text)}</code>`;
}

/**
 * `text` as a markdown code span: nothing inside one is markup, a mention or a reference, so only the fence needs
 * care — one backtick longer than the longest run inside, padded when the text starts or ends with a backtick.
 * Ordinary text comes out as `` `text` ``.
 */
export function inlineCode(text: string): string {
  const line = stripControl(text);
  const fence = '`'.repeat(Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** Makes a URL safe inside a markdown link target: no spaces, parentheses or angle brackets can end it early. */
export function escapeUrl(url: string): string {
  return stripControl(url).replace(
    /[\s()<>"'`\\|]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** One line of plain terminal text: control characters (ANSI escapes, CR, NUL, …) become visible `\xNN`/spaces. */
export function sanitizeTerminal(text: string): string {
  return stripControl(text);
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

// Line breaks and tabs read as spaces; every other C0/C1 control char is shown as an escape.
function stripControl(text: string): string {
  return (
    text
      .replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

/** `&`, `<`, `>` as entities: for text inside HTML tags (`<code>`, `<summary>`) of a comment. */
export function escapeHtmlText(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
}

/**
 * The message of a GitHub Actions workflow command (`::error …::message`): `%`, CR and LF percent-encoded as the
 * runner decodes them, so a message can hold several lines but never end the command or start another one.
 */
export function escapeWorkflowData(text: string): string {
  return stripControl(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** A property value of a workflow command (`file=…,title=…`): also `:` and `,`, which end a property. */
export function escapeWorkflowProperty(text: string): string {
  return escapeWorkflowData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
