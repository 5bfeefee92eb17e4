/**
 * The bots end to end on the in-memory Medplum, through their real entry points and our Subscription runner.
 */
import { OperationOutcomeError, tooManyRequests } from '@medplum/core';
import type {
  Bundle,
  Device,
  DocumentReference,
  Endpoint,
  ImagingStudy,
  OperationOutcomeIssue,
  ServiceRequest,
} from '@medplum/fhirtypes';
import type { MockClient } from '@medplum/mock';
import type { WithId } from '@medplum/core';
import { afterEach, describe, expect, test, vi, type MockInstance } from 'vitest';
import { createEmbeddedProject, secretsOf, type EmbeddedProject } from '../src/embedded/embedded-project.ts';
import { onImagingStudyEvent } from '../src/medplum/handlers.ts';
import type { Logger } from '../src/medplum/log.ts';
import { isValid, validateManifest } from '../src/validation/validate-manifest.ts';
import { getConformance } from '../src/validation/conformance.ts';
import { validateProfile } from '../src/validation/profile-validator.ts';
import { IM } from '../src/profiles/canonicals.ts';
import { dicomJsonOf } from './helpers/dicom-json.ts';

const CR_STUDY = '1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1';

async function project(extra: Record<string, string> = {}): Promise<EmbeddedProject> {
  return createEmbeddedProject(
    secretsOf({ TIMEZONE: 'UTC', VIEWER_URL_TEMPLATE: 'https://viewer.example/?s={studyInstanceUid}', ...extra })
  );
}

/** Ingests the CR study's metadata (one call, whole study) and runs the Subscriptions. */
async function ingestCrStudy(p: EmbeddedProject): Promise<WithId<ImagingStudy>> {
  await p.runner.execute('ingest-dicom', dicomJsonOf('dicom/study-cr'));
  await p.runner.drain();
  const [study] = await p.medplum.searchResources('ImagingStudy', { identifier: `urn:dicom:uid|urn:oid:${CR_STUDY}` });
  return study;
}

async function storedManifest(
  medplum: MockClient,
  studyId: string
): Promise<{ doc: DocumentReference; bundle: Bundle }> {
  const docs = await medplum.searchResources('DocumentReference', { related: `ImagingStudy/${studyId}` });
  expect(docs).toHaveLength(1);
  const doc = docs[0];
  const bundle = (await medplum.readReference({ reference: doc.content[0].attachment.url ?? '' })) as Bundle;
  return { doc, bundle };
}

function spyOnWrites(medplum: MockClient): MockInstance[] {
  return (
    [
      'createResource',
      'createResourceIfNoneExist',
      'updateResource',
      'patchResource',
      'deleteResource',
      'createBinary',
    ] as const
  ).map((m) => vi.spyOn(medplum, m));
}

function withoutVolatile(bundle: Bundle): unknown {
  const { timestamp: _t, meta: _m, id: _i, ...rest } = bundle;
  return rest;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ImagingStudy → enrichment → manifest', () => {
  test('ingest creates the ImagingStudy; the Subscription enriches it and stores a valid manifest', async () => {
    const p = await project();
    const study = await ingestCrStudy(p);
    expect(study.numberOfSeries).toBe(3);
    expect(study.numberOfInstances).toBe(3);
    expect(study.subject?.reference).toMatch(/^Patient\//);
    expect(study.basedOn?.[0].reference).toMatch(/^ServiceRequest\//);
    expect(study.endpoint?.map((e) => e.reference)).toEqual([
      expect.stringMatching(/^Endpoint\//),
      expect.stringMatching(/^Endpoint\//),
    ]);
    expect(study.series?.[0].endpoint?.[0].reference).toMatch(/^Endpoint\//);
    expect(study.series?.[0].performer?.[0].actor.reference).toMatch(/^Device\//);

    const { doc, bundle } = await storedManifest(p.medplum, study.id);
    expect(isValid(validateManifest(bundle))).toBe(true);
    expect(doc).toMatchObject({
      status: 'current',
      subject: study.subject,
      content: [{ attachment: { contentType: 'application/fhir+json', url: `Bundle/${bundle.id ?? ''}` } }],
      context: { related: [{ reference: `ImagingStudy/${study.id}` }], event: [{ coding: [{ code: 'CR' }] }] },
    });
    // The DocumentReference conforms to ImManifestDocumentReference (its im-docref-1 is not evaluable FHIRPath).
    const issues: OperationOutcomeIssue[] = [];
    validateProfile(`${IM}ImManifestDocumentReference`, doc, 'DocumentReference', {
      conf: getConformance(),
      resolve: () => undefined,
      issues,
    });
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    const byPatient = await p.medplum.searchResources('DocumentReference', { subject: study.subject?.reference ?? '' });
    expect(byPatient.map((d) => d.id)).toEqual([doc.id]);
    // Stored once each, keyed on identifiers.
    expect(await p.medplum.searchResources('Endpoint')).toHaveLength(2);
    expect(await p.medplum.searchResources('Device')).toHaveLength(1);
    expect(await p.medplum.searchResources('ServiceRequest')).toHaveLength(1);
    expect(await p.medplum.searchResources('Bundle')).toHaveLength(1);
  });

  test('running the bot again on the same study writes nothing', async () => {
    const p = await project();
    const study = await ingestCrStudy(p);
    const spies = spyOnWrites(p.medplum);
    const result = await p.runner.execute('enrich-imaging-study', study);
    expect(result).toMatchObject({ action: 'published', publish: { writes: 0 } });
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
    }
  });

  test.each([
    ['ingest-dicom', 'metadata'],
    ['enrich-imaging-study', 'study'],
    ['publish-manifest', 'reference'],
  ] as const)('%s run twice on the same input writes nothing the second time', async (bot, kind) => {
    const p = await project();
    const study = await ingestCrStudy(p);
    const input =
      kind === 'metadata'
        ? dicomJsonOf('dicom/study-cr')
        : kind === 'study'
          ? study
          : { reference: `ImagingStudy/${study.id}` };
    await p.runner.execute(bot, input);
    await p.runner.drain();
    const spies = spyOnWrites(p.medplum);
    await p.runner.execute(bot, input);
    await p.runner.drain();
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
    }
  });

  test("the bot's own update does not trigger it again (loop-safe)", async () => {
    const p = await project();
    await p.runner.execute('ingest-dicom', dicomJsonOf('dicom/study-cr')[0]); // creates the ImagingStudy
    const [created] = await p.medplum.searchResources('ImagingStudy');
    await p.runner.drain();
    const [enriched] = await p.medplum.searchResources('ImagingStudy');
    // The enrichment updated the study (links), and that update matched no Subscription criteria.
    expect(enriched.meta?.versionId).not.toBe(created.meta?.versionId);
    expect(enriched.endpoint?.length).toBe(2);
    expect(p.runner.runs.get('enrich-imaging-study')).toBe(1);
  });

  test('20 concurrent triggers for one study leave exactly one of each resource', async () => {
    const p = await project();
    await p.medplum.createResource({ resourceType: 'Bot', name: 'placeholder' });
    // Ingest without running the Subscription, then deliver 20 triggers at once.
    await p.runner.execute('ingest-dicom', dicomJsonOf('dicom/study-cr'));
    const [study] = await p.medplum.searchResources('ImagingStudy');
    await Promise.all(Array.from({ length: 20 }, () => p.runner.execute('enrich-imaging-study', study)));
    expect(await p.medplum.searchResources('Endpoint')).toHaveLength(2);
    expect(await p.medplum.searchResources('Device')).toHaveLength(1);
    expect(await p.medplum.searchResources('ServiceRequest')).toHaveLength(1);
    expect(await p.medplum.searchResources('Patient')).toHaveLength(1);
    expect(await p.medplum.searchResources('Bundle')).toHaveLength(1);
    expect(await p.medplum.searchResources('DocumentReference')).toHaveLength(1);
  });

  test('429s from the server are retried, with backoff, and the run succeeds', async () => {
    const p = await project();
    await p.runner.execute('ingest-dicom', dicomJsonOf('dicom/study-cr'));
    const [study] = await p.medplum.searchResources('ImagingStudy');
    const original = p.medplum.searchOne.bind(p.medplum);
    let failures = 3;
    const flaky = (...args: Parameters<MockClient['searchOne']>): Promise<unknown> => {
      if (failures > 0) {
        failures--;
        return Promise.reject(new OperationOutcomeError(tooManyRequests));
      }
      return original(...args);
    };
    // A plain Promise stands in for MedplumClient's ReadablePromise: the bot only awaits it.
    vi.spyOn(p.medplum, 'searchOne').mockImplementation(flaky as unknown as MockClient['searchOne']);
    const result = await p.runner.execute('enrich-imaging-study', study);
    expect(failures).toBe(0);
    expect(result).toMatchObject({ action: 'published' });
  });

  test('a server that keeps failing makes the run fail (for the Subscription to redeliver), leaving no manifest', async () => {
    const p = await project({ BOT_TIME_BUDGET_MS: '300' });
    await p.runner.execute('ingest-dicom', dicomJsonOf('dicom/study-cr'));
    const [study] = await p.medplum.searchResources('ImagingStudy');
    vi.spyOn(p.medplum, 'createResourceIfNoneExist').mockRejectedValue(new OperationOutcomeError(tooManyRequests));
    await expect(p.runner.execute('enrich-imaging-study', study)).rejects.toThrow(/Too Many Requests/i);
    expect(await p.medplum.searchResources('DocumentReference')).toHaveLength(0);
  });

  test("$generate-fhir-manifest returns the stored manifest's content without storing anything; unknown id → 404", async () => {
    const p = await project();
    const study = await ingestCrStudy(p);
    const { bundle } = await storedManifest(p.medplum, study.id);
    const spies = spyOnWrites(p.medplum);
    const generated = (await p.runner.operation('generate-fhir-manifest', {
      reference: `ImagingStudy/${study.id}`,
    })) as Bundle;
    expect(withoutVolatile(generated)).toEqual(withoutVolatile(bundle));
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
    }
    await expect(p.runner.operation('generate-fhir-manifest', { reference: 'ImagingStudy/unknown' })).rejects.toThrow(
      /Not found/i
    );
  });

  test('a deleted study retires its DocumentReference (entered-in-error)', async () => {
    const p = await project();
    const study = await ingestCrStudy(p);
    await p.medplum.deleteResource('ImagingStudy', study.id);
    await p.runner.drain();
    const docs = await p.medplum.searchResources('DocumentReference', { related: `ImagingStudy/${study.id}` });
    expect(docs.map((d) => d.status)).toEqual(['entered-in-error']);
  });

  test('a study set to entered-in-error retires its DocumentReference', async () => {
    const p = await project();
    const study = await ingestCrStudy(p);
    await p.medplum.updateResource({
      ...(await p.medplum.readResource('ImagingStudy', study.id)),
      status: 'entered-in-error',
    });
    await p.runner.drain();
    const docs = await p.medplum.searchResources('DocumentReference', { related: `ImagingStudy/${study.id}` });
    expect(docs.map((d) => d.status)).toEqual(['entered-in-error']);
  });

  test('identifiers others added to the study are kept', async () => {
    const p = await project();
    const study = await ingestCrStudy(p);
    const ris = { system: 'https://ris.example/orders', value: 'R-1' };
    const withRis = await p.medplum.updateResource({ ...study, identifier: [...(study.identifier ?? []), ris] });
    await p.runner.execute('enrich-imaging-study', withRis);
    const after = await p.medplum.readResource('ImagingStudy', study.id);
    expect(after.identifier).toContainEqual(ris);
    expect(after.identifier?.[0].system).toBe('urn:dicom:uid');
  });

  test('a new series updates the manifest in place', async () => {
    const p = await project();
    const [first, ...rest] = dicomJsonOf('dicom/study-cr');
    await p.runner.execute('ingest-dicom', first);
    await p.runner.drain();
    const [study] = await p.medplum.searchResources('ImagingStudy');
    const before = await storedManifest(p.medplum, study.id);
    for (const ds of rest) {
      await p.runner.execute('ingest-dicom', ds);
    }
    await p.runner.execute('ingest-dicom', { sync: true });
    await p.runner.drain();
    const after = await storedManifest(p.medplum, study.id);
    expect(after.bundle.id).toBe(before.bundle.id);
    expect(after.doc.id).toBe(before.doc.id);
    const is = after.bundle.entry?.find((e) => e.resource?.resourceType === 'ImagingStudy')?.resource as ImagingStudy;
    expect(is.numberOfInstances).toBe(3);
  });

  test('an invalid manifest is not stored; the OperationOutcome is returned and logged without PHI', async () => {
    // MADO needs a displayable procedure; this study has a StudyDescription, so remove it.
    const p = await project({ MANIFEST_FLAVOR: 'mado' });
    const datasets = dicomJsonOf('dicom/study-cr').map((ds) => {
      const copy = { ...ds };
      delete copy['00081030'];
      return copy;
    });
    await p.runner.execute('ingest-dicom', datasets);
    const [study] = await p.medplum.searchResources('ImagingStudy');
    const lines: string[] = [];
    const log: Logger = { info: (m) => lines.push(m), error: (m) => lines.push(m) };
    const result = await onImagingStudyEvent(
      p.medplum,
      { bot: { reference: 'Bot/x' }, contentType: 'application/fhir+json', input: study, secrets: p.runner.secrets },
      log
    );
    expect(result.action).toBe('invalid');
    expect(JSON.stringify(result.outcome)).toMatch(/mado-reqproc-1/);
    expect(await p.medplum.searchResources('Bundle')).toHaveLength(0);
    expect(lines.join('\n')).toMatch(/manifest invalid/);
    expect(lines.join('\n')).not.toMatch(/Doe|Archibald|77654033/);
  });

  test('a manifest larger than MANIFEST_MAX_BYTES is stored as a Binary of application/fhir+json', async () => {
    const p = await project({ MANIFEST_MAX_BYTES: '2000' });
    const study = await ingestCrStudy(p);
    const docs = await p.medplum.searchResources('DocumentReference', { related: `ImagingStudy/${study.id}` });
    expect(docs[0].content[0].attachment.url).toMatch(/^Binary\//);
    expect(await p.medplum.searchResources('Bundle')).toHaveLength(0);
  });

  test('on a server-derived study only the fields the server leaves to us are written', async () => {
    const p = await project();
    await p.runner.execute('ingest-dicom', dicomJsonOf('dicom/study-cr'));
    const [created] = await p.medplum.searchResources('ImagingStudy');
    const derived = await p.medplum.updateResource({
      ...created,
      meta: { ...created.meta, tag: [{ system: 'https://medplum.com/dicom', code: 'derived-from-dicom' }] },
      endpoint: undefined,
      basedOn: undefined,
      series: created.series?.map(({ endpoint: _e, performer: _p, ...s }) => s),
    });
    await p.runner.execute('enrich-imaging-study', derived);
    const after = await p.medplum.readResource('ImagingStudy', derived.id);
    expect(after.basedOn?.[0].reference).toMatch(/^ServiceRequest\//);
    expect(after.endpoint).toBeUndefined();
    expect(after.series).toEqual(derived.series);
  });
});

describe('ingest-dicom', () => {
  test('instances of one study arriving concurrently accumulate into one ImagingStudy', async () => {
    const p = await project();
    const datasets = dicomJsonOf('multi-study').filter(
      (ds) => ds['0020000D']?.Value?.[0] === '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1'
    );
    expect(datasets).toHaveLength(11);
    await Promise.all(
      datasets.map((ds) =>
        p.runner.execute('ingest-dicom', {
          association: { callingAeTitle: 'MOD', calledAeTitle: 'MEDPLUM' },
          dataset: ds,
        })
      )
    );
    expect(await p.medplum.searchResources('ImagingStudy')).toHaveLength(1);
    expect(await p.medplum.searchResources('DicomStudy')).toHaveLength(1);
    expect(await p.medplum.searchResources('DicomSeries')).toHaveLength(3);
    expect(await p.medplum.searchResources('DicomInstance', { _count: '100' })).toHaveLength(11);
    await p.runner.execute('ingest-dicom', { sync: true });
    await p.runner.drain();
    const [study] = await p.medplum.searchResources('ImagingStudy');
    expect(study.numberOfInstances).toBe(11);
    expect(study.numberOfSeries).toBe(3);
  });

  test('one more instance costs the same writes whatever the size of the study, and a repeat writes nothing', async () => {
    const p = await project();
    const series = (ds: { [tag: string]: { Value?: unknown[] } }): string => String(ds['0020000E']?.Value?.[0]);
    const datasets = dicomJsonOf('multi-study')
      .filter((ds) => ds['0020000D']?.Value?.[0] === '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1')
      .sort((a, b) => series(a).localeCompare(series(b)));
    const writesOf = async (ds: (typeof datasets)[number]): Promise<number> => {
      const spies = spyOnWrites(p.medplum);
      await p.runner.execute('ingest-dicom', { dataset: ds });
      const n = spies.reduce((sum, s) => sum + s.mock.calls.length, 0);
      vi.restoreAllMocks();
      return n;
    };
    // Instances sorted by series: datasets[1] joins an existing series of a 1-instance study, the last one an
    // existing series of a 10-instance study.
    expect(series(datasets[1])).toBe(series(datasets[0]));
    expect(series(datasets[10])).toBe(series(datasets[9]));
    await writesOf(datasets[0]); // new study: creates the ImagingStudy too
    const second = await writesOf(datasets[1]);
    for (const ds of datasets.slice(2, 10)) {
      await writesOf(ds);
    }
    const last = await writesOf(datasets[10]);
    expect(second).toBe(2); // the raw Binary and the DicomInstance
    expect(last).toBe(second);
    expect(await writesOf(datasets[10])).toBe(0);
  });

  test('a scheduled run (no input) folds the instances that arrived one by one into their study', async () => {
    const p = await project();
    for (const ds of dicomJsonOf('dicom/study-cr')) {
      await p.runner.execute('ingest-dicom', { dataset: ds });
    }
    const [before] = await p.medplum.searchResources('ImagingStudy');
    expect(before.numberOfInstances).toBe(1);
    await p.runner.execute('ingest-dicom', {});
    const [after] = await p.medplum.searchResources('ImagingStudy');
    expect(after.numberOfInstances).toBe(3);
  });

  test('a Binary holding a Part-10 file is ingested', async () => {
    const p = await project();
    const { readFileSync } = await import('node:fs');
    const { fixturePath } = await import('./helpers/fixtures.ts');
    const bytes = readFileSync(fixturePath('part10/CT_small.dcm'));
    const binary = await p.medplum.createBinary({ data: bytes, contentType: 'application/dicom' });
    const result = await p.runner.execute('ingest-dicom', { ...binary, data: bytes.toString('base64') });
    expect(result).toMatchObject({ instances: 1 });
    const [instance] = await p.medplum.searchResources('DicomInstance');
    expect(instance.raw.reference).toBe(`Binary/${binary.id}`);
    expect(instance.sopInstanceUid).toBe('1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322');
  });
});

describe('stored resources', () => {
  test('a device is stored once across studies', async () => {
    const p = await project();
    for (const uid of [
      '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1',
      '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.133',
    ]) {
      await p.runner.execute(
        'ingest-dicom',
        dicomJsonOf('multi-study').filter((ds) => ds['0020000D']?.Value?.[0] === uid)
      );
      await p.runner.drain();
    }
    const devices = (await p.medplum.searchResources('Device')) as Device[];
    const studies = (await p.medplum.searchResources('ImagingStudy')) as ImagingStudy[];
    expect(studies).toHaveLength(2);
    const used = new Set(
      studies.flatMap((s) => s.series?.flatMap((x) => x.performer?.map((pf) => pf.actor.reference) ?? []) ?? [])
    );
    expect(devices.length).toBe(used.size);
    // One WADO-RS endpoint shared by both studies, one viewer launch endpoint per study.
    expect((await p.medplum.searchResources('Endpoint')) as Endpoint[]).toHaveLength(3);
    expect(((await p.medplum.searchResources('ServiceRequest')) as ServiceRequest[]).length).toBeGreaterThan(0);
  });
});
