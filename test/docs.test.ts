import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('docs/mapping.md stays in step with the code', () => {
  test('every DICOM keyword the reader uses is in the mapping table', () => {
    const source = read('src/dicom/instance-record.ts');
    const keywords = new Set(
      [...source.matchAll(/(?:\((?:ds|ra|item|udiItem), |first\(|firstCodes\()'([A-Za-z]+)'/g)].map((m) => m[1])
    );
    expect(keywords.size).toBeGreaterThan(40);
    const doc = read('docs/mapping.md');
    const missing = [...keywords].filter((k) => !doc.includes(k));
    expect(missing).toEqual([]);
  });
});
