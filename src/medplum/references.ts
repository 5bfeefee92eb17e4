/**
 * Rewrites the `urn:uuid:` references of manifest resources to the ids of their stored copies.
 */
import type { Reference } from '@medplum/fhirtypes';

/**
 * A deep copy of a value with every `reference` found in `map` replaced.
 * @param value - A resource or element.
 * @param map - Manifest fullUrl → stored reference (`Type/id`).
 * @returns The rewritten copy.
 */
export function rewriteReferences<T>(value: T, map: Map<string, Reference>): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      return node.map(walk);
    }
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        out[k] = walk(v);
      }
      const target = typeof out.reference === 'string' ? map.get(out.reference) : undefined;
      return target ? { ...out, reference: target.reference } : out;
    }
    return node;
  };
  return walk(value) as T;
}
