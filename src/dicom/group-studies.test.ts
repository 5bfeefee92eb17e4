import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { groupStudies } from './group-studies.ts';
import { listFiles, loadStudies, readInstanceRecords } from './load-studies.ts';

const fixtures = new URL('../../test/fixtures', import.meta.url).pathname;

describe('loadStudies', () => {
  test('groups a folder of several studies by StudyInstanceUID, series by SeriesInstanceUID', () => {
    const r = loadStudies([`${fixtures}/multi-study`]);
    expect(r.errors).toEqual([]);
    expect(r.studies.map((s) => [s.series.length, s.series.reduce((n, x) => n + x.instances.length, 0)])).toEqual([
      [3, 11], // 1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1 (CORPUS.md: 11 files, 3 series)
      [2, 4], // ….0.133: 4 files, 2 series
      [2, 2], // ….0.427: 2 files, 2 series
    ]);
  });

  test('gives the same model whatever the order of the files', () => {
    const files = listFiles([`${fixtures}/multi-study`]);
    const records = files.flatMap((f) => readInstanceRecords(f, readFileSync(f)));
    expect(groupStudies([...records].reverse())).toEqual(groupStudies(records));
  });

  test('counts a duplicate SOP Instance UID once, with a warning', () => {
    const file = `${fixtures}/part10/MR_small.dcm`;
    const r = loadStudies([file, `${fixtures}/part10/MR_small_implicit.dcm`]);
    expect(r.studies).toHaveLength(1);
    expect(r.studies[0].series[0].instances).toHaveLength(1);
    expect(r.studies[0].warnings.join('\n')).toMatch(/duplicate SOP Instance UID/);
  });

  test('one bad file gives one error and does not stop the others', () => {
    const r = loadStudies([`${fixtures}/broken`, `${fixtures}/dicom`]);
    expect(r.studies).toHaveLength(1);
    expect(r.errors.map((e) => e.source.split('/').pop())).toEqual([
      'MR_truncated.dcm',
      'priv_SQ.dcm',
      'rtplan_truncated.dcm',
    ]);
    expect(r.skipped.map((e) => e.source.split('/').pop())).toEqual(['no_meta.dcm']);
  });
});
