import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';

import type { DocPath } from './diagnostic-category';

export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Maps a path in the parsed value of a YAML file (a workflow definition, adoption.config.yaml) (`['steps', 2, 'config', 'priority']`, or an ajv instance path) back to the YAML
 * node it came from, so every diagnostic can name a line and column. A path that runs past what exists (a missing
 * key) lands on the deepest node that does exist, which is the map the key is missing from.
 */
export class SourceMap {
  /** Each map's pairs by key text, built on first use: a lookup is O(1), so N diagnostics cost O(N), not O(N x keys). */
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** Map pairs indexed so far (work counter; tests use it to show lookups stay linear). */
  indexedPairs = 0;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly text: string,
  ) {}

  /** The deepest existing node on `path`, its key node when it is a map value, and whether the whole path exists. */
  find(path: DocPath): { node: Node | undefined; keyNode: Node | undefined; complete: boolean } {
    let node: Node | undefined = (this.doc.contents as Node | null) ?? undefined;
    let keyNode: Node | undefined;
    for (const segment of path) {
      const container: unknown = isAlias(node) ? node.resolve(this.doc) : node;
      let child: Node | undefined;
      let childKey: Node | undefined;
      if (isMap(container)) {
        const pair = this.pairOf(container, String(segment));
        if (pair) {
          childKey = pair.key as Node;
          child = (pair.value as Node | null) ?? childKey;
        }
      } else if (isSeq(container) && typeof segment === 'number') {
        child = (container.items[segment] as Node | undefined) ?? undefined;
      }
      if (!child) return { node, keyNode, complete: false };
      node = child;
      keyNode = childKey;
    }
    return { node, keyNode, complete: true };
  }

  /**
   * Where `path` is: its value, or with `key` the key naming it; with `valueOffset`, that character of a string
   * scalar's value (for a `{{reference}}` or an SQL token inside a longer string).
   */
  position(path: DocPath, options: { key?: boolean; valueOffset?: number } = {}): SourcePosition {
    const { node, keyNode, complete } = this.find(path);
    let offset = 0;
    if (complete && options.key && keyNode?.range) offset = keyNode.range[0];
    else if (node?.range) {
      offset = node.range[0];
      if (complete && options.valueOffset !== undefined && isScalar(node) && typeof node.value === 'string') {
        offset = this.scalarOffset(node.range[0], node.range[1], node.type, node.value, options.valueOffset);
      }
    }
    return this.at(offset);
  }

  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    let index = this.pairsByKey.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        this.indexedPairs += 1;
        // The first pair with a key wins, as a linear search would find it.
        if (isPair(item) && isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item);
      }
      this.pairsByKey.set(map, index);
    }
    return index.get(key);
  }

  at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private scalarOffset(start: number, end: number, type: string | undefined, value: string, valueOffset: number): number {
    const source = this.text.slice(start, end);
    // Plain and quoted scalars without escapes are the value verbatim, so the offset carries over directly.
    if (type === 'PLAIN' && source === value) return start + valueOffset;
    if ((type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') && source.slice(1, -1) === value) return start + 1 + valueOffset;
    // Otherwise (block scalars, escapes, folded lines) find the same text in the source: the k-th occurrence of a
    // short probe taken at the offset, where k counts the probe's occurrences in the value before the offset.
    const probe = value.slice(valueOffset).split('\n')[0].slice(0, 16);
    if (probe === '') return start;
    let seen = 0;
    for (let from = value.indexOf(probe); from >= 0 && from < valueOffset; from = value.indexOf(probe, from + 1)) seen += 1;
    let found = -1;
    for (let k = 0, from = 0; k <= seen; k += 1) {
      found = source.indexOf(probe, from);
      if (found < 0) return start;
      from = found + 1;
    }
    return start + found;
  }
}
