import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import type { DicomJsonDataset } from 'dcmjs';
import { describe, expect, test } from 'vitest';
import { groupStudies } from './group-studies.ts';
import { listFiles, readInstanceRecords } from './load-studies.ts';
import { readDicomJson } from './read-dicom-json.ts';
import { toInstanceRecord } from './instance-record.ts';

const folder = new URL('../../test/fixtures/multi-study', import.meta.url).pathname;

/** What a PACS returns for WADO-RS metadata: the DICOM JSON model of each instance, bulk data left out. */
function asWadoMetadata(file: string): DicomJsonDataset {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).dict;
  const out: DicomJsonDataset = {};
  for (const [tag, el] of Object.entries(dict)) {
    if (!['OB', 'OW', 'OF', 'OD', 'UN'].includes(el.vr)) {
      out[tag] = { vr: el.vr, ...(el.Value ? { Value: el.Value } : {}) };
    }
  }
  return JSON.parse(JSON.stringify(out)) as DicomJsonDataset;
}

describe('DICOM JSON', () => {
  test('WADO-RS metadata gives the same study model as the Part-10 files', () => {
    const files = listFiles([folder]);
    const fromPart10 = groupStudies(files.flatMap((f) => readInstanceRecords(f, readFileSync(f))));
    const metadata = files.map(asWadoMetadata);
    const fromJson = groupStudies(
      readInstanceRecords('metadata.json', new TextEncoder().encode(JSON.stringify(metadata)))
    );
    const strip = (s: typeof fromPart10): unknown => s.map((x) => ({ ...x, warnings: [] }));
    expect(fromJson).toHaveLength(3);
    expect(strip(fromJson)).toEqual(strip(fromPart10));
  });

  test('reads a Medplum Agent C-STORE notification ({ association, dataset })', () => {
    const dataset = asWadoMetadata(listFiles([folder])[0]);
    const [ds] = readDicomJson({ association: { callingAeTitle: 'MOD', calledAeTitle: 'MEDPLUM' }, dataset });
    expect(toInstanceRecord(ds).study.studyInstanceUid).toMatch(/^1\.3\.6\.1\.4\.1\.5962/);
  });

  test('Unicode values are taken as they are, whatever SpecificCharacterSet says', () => {
    const [ds] = readDicomJson([
      {
        '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
        '0020000D': { vr: 'UI', Value: ['1.2.3'] },
        '0020000E': { vr: 'UI', Value: ['1.2.3.4'] },
        '00080018': { vr: 'UI', Value: ['1.2.3.4.5'] },
        '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Äneas^Rüdiger' }] },
      },
    ]);
    expect(toInstanceRecord(ds).study.patient.name).toEqual({ family: 'Äneas', given: 'Rüdiger' });
  });

  test('rejects JSON that is not DICOM JSON', () => {
    expect(() => readDicomJson([{ resourceType: 'Patient' }])).toThrow(/not a DICOM JSON dataset/);
  });
});
