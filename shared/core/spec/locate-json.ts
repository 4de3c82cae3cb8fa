/**
 * Pointer → position in JSON text. Parsing JSON for positions is slow on big files (jsonc-parser takes ~7× as
 * long as JSON.parse on a 13 MB spec), so the tree is only built when the first position is asked for.
 * @module
 */
import { type Node, parseTree } from 'jsonc-parser';
import { appendPointer, decodePointer } from './json-pointer.js';
import { buildLineStarts, positionAt } from './line-index.js';
import type { Located } from './locate-yaml.js';

export function createJsonLocator(text: string): (pointer: string) => Located {
  let tree: Node | undefined;
  let lineStarts: number[] | undefined;
  return (pointer) => {
    tree ??= buildTree(text);
    lineStarts ??= buildLineStarts(text);
    const { offset, found } = walk(tree, decodePointer(pointer) ?? []);
    return { ...positionAt(lineStarts, offset), pointer: found };
  };
}

function walk(root: Node, segments: string[]): { offset: number; found: string } {
  let node = root;
  let offset = root.offset;
  let found = '';
  for (const segment of segments) {
    const next = stepInto(node, segment);
    if (!next) break;
    ({ node, offset } = next);
    found = appendPointer(found, segment);
  }
  return { offset, found };
}

function stepInto(node: Node, segment: string): { node: Node; offset: number } | undefined {
  const children = node.children ?? [];
  if (node.type === 'object') {
    // The last duplicate wins, as in JSON.parse.
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, value] = children[i]?.children ?? [];
      if (key?.value === segment && value) return { node: value, offset: key.offset };
    }
    return undefined;
  }
  if (node.type === 'array' && /^(0|[1-9]\d*)$/.test(segment)) {
    const item = children[Number(segment)];
    return item ? { node: item, offset: item.offset } : undefined;
  }
  return undefined;
}

/** jsonc-parser recurses: absurdly deep text gets no tree, and every position falls back to the file start. */
function buildTree(text: string): Node {
  const none: Node = { type: 'null', offset: 0, length: 0 };
  try {
    return parseTree(text, [], { disallowComments: true }) ?? none;
  } catch (error) {
    if (error instanceof RangeError) return none;
    throw error;
  }
}
