import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import { describe, expect, test } from 'vitest';
import { readInstanceRecords } from './load-studies.ts';
import { DicomReadError, readPart10 } from './read-part10.ts';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url));

describe('readPart10', () => {
  test('reads explicit VR little endian, implicit VR and big endian to the same attributes', () => {
    const names = ['MR_small.dcm', 'MR_small_implicit.dcm', 'MR_small_bigendian.dcm'];
    const records = names.map((n) => readInstanceRecords(n, fixture(`part10/${n}`))[0].record);
    expect(records[0].study.studyInstanceUid).toBe('1.3.6.1.4.1.5962.1.2.4.20040826185059.5457');
    expect(records[0].series.modality).toBe('MR');
    expect(records[0].series.equipment.manufacturer).toBe('TOSHIBA_MEC');
    expect(records[1]).toEqual(records[0]);
    expect(records[2]).toEqual(records[0]);
  });

  test('reads bare datasets without preamble when the encoding is unambiguous', () => {
    const le = readInstanceRecords('le', fixture('part10/ExplVR_LitEndNoMeta.dcm'))[0].record;
    const be = readInstanceRecords('be', fixture('part10/ExplVR_BigEndNoMeta.dcm'))[0].record;
    const implicit = readInstanceRecords('rt', fixture('part10/rtstruct.dcm'))[0].record;
    expect(le.series.modality).toBe('RTPLAN');
    expect(be).toEqual(le);
    expect(implicit.series.modality).toBe('RTSTRUCT');
    expect(implicit.study.patient.name).toEqual({ family: 'Test', given: 'Phantom30sep' });
  });

  test('a truncated file is an error naming the truncation', () => {
    expect(() => readPart10(fixture('broken/MR_truncated.dcm'))).toThrow(/truncated file.*8192 bytes but only 8130/);
    expect(() => readPart10(fixture('broken/rtplan_truncated.dcm'))).toThrow(/truncated file/);
  });

  test('a file that is neither Part-10 nor a recognisable dataset is skipped, not an error', () => {
    try {
      readPart10(fixture('broken/no_meta.dcm'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DicomReadError);
      expect((err as DicomReadError).skip).toBe(true);
    }
    expect(() => readPart10(new TextEncoder().encode('hello, not DICOM at all'))).toThrow(/not a DICOM file/);
  });

  test('a dataset without UIDs is an error naming the attribute', () => {
    expect(() => readInstanceRecords('priv_SQ.dcm', fixture('broken/priv_SQ.dcm'))).toThrow(
      /missing required attribute StudyInstanceUID/
    );
  });

  test('a DICOMDIR is skipped', () => {
    const meta = {
      '00020002': { vr: 'UI', Value: ['1.2.840.10008.1.3.10'] },
      '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
    };
    const dict = new dcmjs.data.DicomDict(meta);
    dict.dict = { '00041130': { vr: 'CS', Value: ['TESTSET'] } };
    const bytes = new Uint8Array(dict.write());
    expect(() => readPart10(bytes)).toThrow(/DICOMDIR/);
    try {
      readPart10(bytes);
    } catch (err) {
      expect((err as DicomReadError).skip).toBe(true);
    }
  });

  test('decodes single-byte character sets (ISO_IR 100) to Unicode', () => {
    const r = readInstanceRecords('fren', fixture('part10/chrFren.dcm'))[0].record;
    expect(r.study.patient.name).toEqual({ family: 'Buc', given: 'Jérôme' });
    expect(r.study.referringPhysician).toBeUndefined(); // `^^^^` is an empty name
  });

  test('ISO 2022 names are reported and left out, never passed on as escape codes', () => {
    const jap = readInstanceRecords('jap', fixture('part10/chrJapMulti.dcm'))[0].record;
    expect(jap.study.patient.name).toBeUndefined();
    expect(jap.warnings.join('\n')).toMatch(/PatientName: ISO 2022 encoded text/);
    expect(JSON.stringify(jap)).not.toContain('\u001b');
    // The alphabetic group of H31 is plain ASCII: it is kept, the ideographic groups are not used.
    const h31 = readInstanceRecords('h31', fixture('part10/chrH31.dcm'))[0].record;
    expect(h31.study.patient.name).toEqual({ family: 'Yamada', given: 'Tarou' });
  });
});
