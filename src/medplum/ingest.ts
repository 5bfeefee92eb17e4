/**
 * Job 4, ingest-dicom: DICOM → Medplum's DICOM store (DicomStudy / DicomSeries / DicomInstance, keyed on their
 * UIDs) → ImagingStudy.
 *
 * Instances are accumulated, then the study is updated once: each instance costs the same few writes whatever the
 * size of its study (the DicomInstance, its raw Binary, and the ImagingStudy only when the study is new). Folding
 * the accumulated instances into the ImagingStudy is `syncStudies`: run for the whole study at once when the input
 * is a study's metadata, and by the bot's schedule (or on request) for instances that arrive one by one.
 */
import type { MedplumClient } from '@medplum/core';
import type {
  Binary,
  DicomInstance,
  DicomSeries,
  DicomStudy,
  ImagingStudy,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import type { DicomJsonDataset } from 'dcmjs';
import { dicomJsonDatasets } from '../dicom/read-dicom-json.ts';
import { recordsFromDicomJson } from '../dicom/load-studies.ts';
import { readPart10, toDicomJson } from '../dicom/read-part10.ts';
import { groupStudies, type SourcedRecord } from '../dicom/group-studies.ts';
import { buildManifest } from '../manifest/build-manifest.ts';
import type { BotConfig } from './config.ts';
import { enrichImagingStudy, storeLinked } from './enrich.ts';
import { rewriteReferences } from './references.ts';
import { withRetry } from './retry.ts';
import { NO_CACHE, createOnce, ensureResource, findUnique } from './store.ts';

/** One instance to ingest: its DICOM JSON and, when known, its Part-10 file. */
export interface IngestInstance {
  dataset: DicomJsonDataset;
  binary?: Reference<Binary>;
  part10?: Uint8Array;
}

/** What ingestion did. */
export interface IngestResult {
  instances: number;
  /** ImagingStudy ids created or brought up to date. */
  studies: string[];
}

type Ensured<T> = T & { id: string };

/** Creates the ImagingStudy of a new study from what is known so far, with its Patient. */
async function ensureImagingStudy(
  medplum: MedplumClient,
  record: SourcedRecord,
  config: BotConfig,
  deadline: number
): Promise<Ensured<ImagingStudy>> {
  const studyUid = record.record.study.studyInstanceUid;
  const identity = { system: 'urn:dicom:uid', value: `urn:oid:${studyUid}` };
  const existing = await findUnique<ImagingStudy>(medplum, 'ImagingStudy', identity, deadline);
  if (existing) {
    return existing;
  }
  const [model] = groupStudies([record]);
  // The address is a placeholder until enrichment: the new study's own endpoint is not part of what is stored here.
  const built = buildManifest(model, config.flavor, {
    ...config,
    dicomwebBase: config.dicomwebBase ?? 'http://notspecified',
  });
  const entries = built.bundle.entry ?? [];
  const refs = await storeLinked(medplum, built, {}, deadline, ['Patient']);
  const fromManifest = entries.find((e) => e.resource?.resourceType === 'ImagingStudy')?.resource as ImagingStudy;
  const { id: _id, endpoint: _e, basedOn: _b, referrer: _r, ...rest } = rewriteReferences(fromManifest, refs);
  const study: ImagingStudy = {
    ...rest,
    series: rest.series?.map(({ endpoint: _se, performer: _p, ...s }) => s),
  };
  return createOnce(medplum, study, identity, deadline);
}

/**
 * Stores one instance in Medplum's DICOM store and makes sure its study has an ImagingStudy.
 * @param medplum - The client.
 * @param instance - The instance.
 * @param config - The bot configuration.
 * @param deadline - Give up retrying after this time.
 * @returns The ImagingStudy of the instance's study.
 */
export async function ingestInstance(
  medplum: MedplumClient,
  instance: IngestInstance,
  config: BotConfig,
  deadline: number
): Promise<Ensured<ImagingStudy>> {
  const ds = instance.dataset;
  const [sourced] = recordsFromDicomJson(ds, 'instance');
  const { study: s, series: se, instance: i } = sourced.record;
  const [studyUid, seriesUid, sopUid] = [s.studyInstanceUid, se.seriesInstanceUid, i.sopInstanceUid];
  const sopClass = i.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.7';
  const existing = await findUnique<DicomInstance>(medplum, 'DicomInstance', `sop-instance-uid=${sopUid}`, deadline);
  if (!existing) {
    const study = await ensureResource(
      medplum,
      { resourceType: 'DicomStudy', studyInstanceUid: studyUid } satisfies DicomStudy,
      `study-instance-uid=${studyUid}`,
      deadline
    );
    const series = await ensureResource(
      medplum,
      {
        resourceType: 'DicomSeries',
        study: { reference: `DicomStudy/${study.id}` },
        seriesInstanceUid: seriesUid,
      } satisfies DicomSeries,
      `series-instance-uid=${seriesUid}`,
      deadline
    );
    const metadata = toDicomJson(ds);
    const raw = instance.binary ?? {
      reference: `Binary/${
        (
          await withRetry(
            () =>
              instance.part10
                ? medplum.createBinary({ data: instance.part10, contentType: 'application/dicom' })
                : medplum.createBinary({ data: JSON.stringify(metadata), contentType: 'application/dicom+json' }),
            { deadline }
          )
        ).id ?? ''
      }`,
    };
    await ensureResource(
      medplum,
      {
        resourceType: 'DicomInstance',
        study: { reference: `DicomStudy/${study.id}` },
        series: { reference: `DicomSeries/${series.id}` },
        sopClassUid: sopClass,
        sopInstanceUid: sopUid,
        metadata: JSON.stringify(metadata),
        raw,
      } satisfies DicomInstance,
      `sop-instance-uid=${sopUid}`,
      deadline
    );
  }
  return ensureImagingStudy(medplum, sourced, config, deadline);
}

/**
 * Folds accumulated instances into their ImagingStudies: each study is re-derived from Medplum's DICOM store in one
 * update (enrichment from the store); a study with nothing new writes nothing.
 * @param medplum - The client.
 * @param studies - The ImagingStudies to check.
 * @param config - The bot configuration.
 * @param deadline - Give up retrying after this time.
 * @returns The ids of the ImagingStudies updated.
 */
export async function syncStudies(
  medplum: MedplumClient,
  studies: Ensured<ImagingStudy>[],
  config: BotConfig,
  deadline: number
): Promise<string[]> {
  const updated: string[] = [];
  for (const study of studies) {
    const current = await medplum.readResource('ImagingStudy', study.id, NO_CACHE);
    const result = await enrichImagingStudy(medplum, current, config, deadline, 'medplum-dicom');
    if (result.writes > 0) {
      updated.push(study.id);
    }
  }
  return updated;
}

/**
 * The ImagingStudies whose instances arrived recently (for the scheduled sync).
 * @param medplum - The client.
 * @param sinceIso - Instances stored after this time.
 * @returns The ImagingStudies.
 */
export async function recentlyIngestedStudies(
  medplum: MedplumClient,
  sinceIso: string
): Promise<Ensured<ImagingStudy>[]> {
  const instances = await medplum.searchResources(
    'DicomInstance',
    { _lastUpdated: `gt${sinceIso}`, _count: '1000' },
    NO_CACHE
  );
  const studyRefs = [...new Set(instances.map((i) => i.study.reference ?? ''))];
  const out: Ensured<ImagingStudy>[] = [];
  for (const ref of studyRefs) {
    const dicomStudy = (await medplum.readReference({ reference: ref })) as unknown as {
      studyInstanceUid: string;
    };
    const study = await medplum.searchOne(
      'ImagingStudy',
      `identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${dicomStudy.studyInstanceUid}`)}`,
      NO_CACHE
    );
    if (study) {
      out.push(study);
    }
  }
  return out;
}

/**
 * Reads the instances of a bot input: an Agent notification `{ association, dataset, binary? }`, a DICOM JSON
 * dataset or array (study metadata), a Binary with a Part-10 file, or a Bundle of those.
 * @param medplum - The client (to download a referenced Binary).
 * @param input - The event input.
 * @returns The instances.
 * @throws Error when the input is none of these.
 */
export async function instancesOfInput(medplum: MedplumClient, input: unknown): Promise<IngestInstance[]> {
  if (typeof input === 'object' && input !== null && 'resourceType' in input) {
    const r = input as Resource;
    if (r.resourceType === 'Binary') {
      const bytes = r.data
        ? Uint8Array.from(Buffer.from(r.data, 'base64'))
        : new Uint8Array(
            await (await medplum.download(medplum.fhirUrl('Binary', r.id ?? '').toString())).arrayBuffer()
          );
      const { json } = readPart10(bytes);
      return [
        {
          dataset: json,
          part10: bytes,
          binary: r.id ? { reference: `Binary/${r.id}` } : undefined,
        },
      ];
    }
    if (r.resourceType === 'Bundle') {
      const all: IngestInstance[] = [];
      for (const e of r.entry ?? []) {
        all.push(...(await instancesOfInput(medplum, e.resource)));
      }
      return all;
    }
    throw new Error(`ingest-dicom cannot read a ${r.resourceType}`);
  }
  const binary =
    typeof input === 'object' && input !== null && 'binary' in input
      ? (input as { binary?: Reference<Binary> }).binary
      : undefined;
  return dicomJsonDatasets(input).map((dataset) => ({ dataset, binary }));
}

/**
 * Ingests the instances of one bot input; a whole study's metadata is folded into its ImagingStudy at once.
 * @param medplum - The client.
 * @param instances - The instances.
 * @param config - The bot configuration.
 * @param deadline - Give up retrying after this time.
 * @returns What was ingested.
 */
export async function ingest(
  medplum: MedplumClient,
  instances: IngestInstance[],
  config: BotConfig,
  deadline: number
): Promise<IngestResult> {
  const studies = new Map<string, Ensured<ImagingStudy>>();
  for (const instance of instances) {
    const study = await ingestInstance(medplum, instance, config, deadline);
    studies.set(study.id, study);
  }
  const updated = instances.length > 1 ? await syncStudies(medplum, [...studies.values()], config, deadline) : [];
  return { instances: instances.length, studies: [...new Set([...studies.keys(), ...updated])] };
}
