/**
 * Against a real PACS: sample studies go into Orthanc through STOW-RS; the enrichment bot reads them back through
 * WADO-RS; the stored manifest must equal what the Part-10 files give. Skipped, with a notice, where Orthanc is not
 * installed (a user's machine); `.ci/run` installs it, so CI always runs these.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, ImagingStudy } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listFiles, loadStudies } from '../src/dicom/load-studies.ts';
import { createEmbeddedProject, secretsOf } from '../src/embedded/embedded-project.ts';
import { buildManifest } from '../src/manifest/build-manifest.ts';
import { fetchStudyMetadata } from '../src/medplum/dicomweb.ts';
import { fixturePath } from './helpers/fixtures.ts';
import { orthancAvailable, startOrthanc, stow, type Orthanc } from './helpers/orthanc.ts';

if (!orthancAvailable) {
  console.warn('NOTICE: Orthanc (Debian orthanc + orthanc-dicomweb) is not installed: the PACS tests are skipped.');
}

const CR_STUDY = '1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1';

describe.skipIf(!orthancAvailable)('with a real Orthanc (DICOMweb)', () => {
  let orthanc: Orthanc;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    const files = [...listFiles([fixturePath('dicom')]), ...listFiles([fixturePath('multi-study')])];
    expect(
      await stow(
        orthanc.dicomweb,
        files.map((f) => readFileSync(f))
      )
    ).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await orthanc?.stop();
  });

  test('WADO-RS metadata of a stored study', async () => {
    const metadata = await fetchStudyMetadata({ base: orthanc.dicomweb }, CR_STUDY, Date.now() + 10_000);
    expect(metadata).toHaveLength(3);
    await expect(fetchStudyMetadata({ base: orthanc.dicomweb }, '1.2.3.4.5.6', Date.now() + 1_000)).rejects.toThrow(
      /HTTP 404/
    );
  });

  test('the enrichment bot reads the study through WADO-RS; the manifest matches the Part-10 files', async () => {
    const options = {
      TIMEZONE: 'UTC',
      DICOMWEB_BASE_URL: orthanc.dicomweb,
      VIEWER_URL_TEMPLATE: 'https://viewer.example/?s={studyInstanceUid}',
    };
    const { medplum, runner } = await createEmbeddedProject(secretsOf(options));
    const patient = await medplum.createResource({ resourceType: 'Patient', identifier: [{ value: '77654033' }] });
    const study = await medplum.createResource<ImagingStudy>({
      resourceType: 'ImagingStudy',
      status: 'available',
      identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${CR_STUDY}` }],
      subject: { reference: `Patient/${patient.id}` },
    });
    await runner.drain();
    const [doc] = await medplum.searchResources('DocumentReference', { related: `ImagingStudy/${study.id}` });
    const stored = (await medplum.readReference({ reference: doc.content[0].attachment.url ?? '' })) as Bundle;

    const fromFiles = buildManifest(loadStudies([fixturePath('dicom')]).studies[0], 'eu', {
      timezone: 'UTC',
      dicomwebBase: orthanc.dicomweb,
      viewerUrlTemplate: options.VIEWER_URL_TEMPLATE,
    }).bundle;
    const strip = (b: Bundle): unknown => ({ ...b, id: undefined, meta: undefined, timestamp: undefined });
    expect(strip(stored)).toEqual(strip(fromFiles));
    const enriched = await medplum.readResource('ImagingStudy', study.id);
    expect(enriched.numberOfInstances).toBe(3);
    expect(enriched.subject?.reference).toBe(`Patient/${patient.id}`);
  });
});
