import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/**
 * Limits on a definition file, checked before (size, UTF-8) and right after (keys, nodes, depth, duplicate keys)
 * the YAML parse, so a hostile file is refused quickly with one clear diagnostic instead of being validated for
 * minutes in gigabytes of memory. Every check here is one linear pass.
 *
 * The shipped definition is under 3 KiB, 60 keys and depth 6; the limits leave ample room for real playbooks.
 */
export const DEFINITION_LIMITS = {
  /** Largest file, in bytes (UTF-8). */
  maxBytes: 256 * 1024,
  /** Most mapping keys in the whole document. */
  maxKeys: 5_000,
  /** Most YAML nodes (scalars, maps, lists) in the whole document. */
  maxNodes: 20_000,
  /** Deepest nesting of maps and lists. */
  maxDepth: 32,
  /** Most steps. */
  maxSteps: 200,
  /** Most diagnostics listed for one file (then one more says how many were left out). */
  maxDiagnostics: 100,
} as const;

/** Where the first byte that is not valid UTF-8 is, or null when the whole buffer is valid. Linear, no decoding. */
export function firstInvalidUtf8(bytes: Uint8Array): number | null {
  const length = bytes.length;
  let i = 0;
  while (i < length) {
    const byte = bytes[i];
    if (byte < 0x80) {
      i += 1;
      continue;
    }
    let needed: number;
    let min: number;
    if (byte >= 0xc2 && byte <= 0xdf) {
      needed = 1;
      min = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      needed = 2;
      min = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      needed = 3;
      min = 0x10000;
    } else return i;
    if (i + needed >= length) return i;
    let codePoint = byte & (0xff >> (needed + 2));
    for (let k = 1; k <= needed; k += 1) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (codePoint < min || (codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return i;
    i += needed + 1;
  }
  return null;
}

/** The 1-based line and column (in characters) of a byte offset in UTF-8 bytes whose prefix is valid. */
export function bytePosition(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i += 1) {
    if (bytes[i] === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < offset; i += 1) if ((bytes[i] & 0xc0) !== 0x80) column += 1;
  return { line, column };
}

export type UnicodeCheck = { ok: true; text: string } | { ok: false; line: number; column: number; message: string };

/** Decodes a definition file's bytes, refusing invalid UTF-8 at its position (never replacing it with U+FFFD). */
export function decodeDefinition(bytes: Uint8Array): UnicodeCheck {
  const bad = firstInvalidUtf8(bytes);
  if (bad !== null) {
    const { line, column } = bytePosition(bytes, bad);
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    return { ok: false, line, column, message: `invalid UTF-8 at byte ${bad} (0x${hex}): a definition must be UTF-8 text` };
  }
  return { ok: true, text: new TextDecoder('utf-8').decode(bytes) };
}

export interface StructureReport {
  keys: number;
  nodes: number;
  /** The first limit exceeded, with the source offset of the node where it happened. */
  overLimit?: { offset: number; message: string };
  /** Source offsets of keys that repeat an earlier key of the same map (YAML refuses them). */
  duplicateKeys: number[];
}

/**
 * One pass over the parsed YAML document: counts keys and nodes, measures depth (stopping at the first limit), and
 * finds duplicate keys with a set per map. It replaces the yaml library's `uniqueKeys` check, which compares each key
 * with every earlier key of its map (quadratic: 32,000 keys took 20 s).
 */
export function inspectDocument(doc: Document, limits = DEFINITION_LIMITS): StructureReport {
  const report: StructureReport = { keys: 0, nodes: 0, duplicateKeys: [] };
  const root = doc.contents as Node | null;
  if (!root) return report;
  const stack: Array<{ node: Node; depth: number }> = [{ node: root, depth: 1 }];
  const offsetOf = (node: Node) => node.range?.[0] ?? 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    report.nodes += 1;
    if (report.nodes > limits.maxNodes) {
      report.overLimit = { offset: offsetOf(node), message: `the definition has more than ${limits.maxNodes} YAML nodes` };
      return report;
    }
    if (isAlias(node) || isScalar(node)) continue;
    if (depth > limits.maxDepth) {
      report.overLimit = { offset: offsetOf(node), message: `the definition is nested deeper than ${limits.maxDepth} levels` };
      return report;
    }
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        report.keys += 1;
        const key = pair.key as Node | null;
        if (report.keys > limits.maxKeys) {
          report.overLimit = {
            offset: key ? offsetOf(key) : offsetOf(node),
            message: `the definition has more than ${limits.maxKeys} keys`,
          };
          return report;
        }
        if (isScalar(key)) {
          if (seen.has(key.value)) report.duplicateKeys.push(offsetOf(key));
          else seen.add(key.value);
        } else if (key) stack.push({ node: key, depth: depth + 1 });
        if (pair.value) stack.push({ node: pair.value as Node, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (let index = node.items.length - 1; index >= 0; index -= 1) {
        const item = node.items[index] as Node | null;
        if (item) stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return report;
}
