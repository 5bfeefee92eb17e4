import type { Bundle, Device, Endpoint, ImagingStudy, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { loadStudy } from '../../test/helpers/fixtures.ts';
import type { StudyModel } from '../dicom/study-model.ts';
import type { MappingOptions } from '../mapping/context.ts';
import { MappingError } from '../mapping/endpoints.ts';
import { bundleResolver, isValid, validateManifest } from '../validation/validate-manifest.ts';
import { buildManifest } from './build-manifest.ts';

const options: MappingOptions = {
  timezone: 'Europe/Amsterdam',
  dicomwebBase: 'https://pacs.example.org/dicom-web',
  viewerUrlTemplate: 'https://viewer.example.org/launch?study={studyInstanceUid}&acc={accessionNumber}&pid={patientId}',
  now: new Date('2026-01-02T03:04:05Z'),
};

function resources<T extends Resource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

describe('buildManifest (eu)', () => {
  const study = loadStudy('dicom/study-cr');
  const { bundle, manifestUid } = buildManifest(study, 'eu', options);

  test('is a valid ImImagingStudyManifest collection with one ImagingStudy', () => {
    expect(bundle.type).toBe('collection');
    expect(bundle.meta?.profile).toEqual([
      'http://hl7.eu/fhir/imaging-manifest-r4/StructureDefinition/ImImagingStudyManifest',
    ]);
    expect(resources<ImagingStudy>(bundle, 'ImagingStudy')).toHaveLength(1);
    expect(bundle.identifier).toEqual({ system: 'urn:dicom:uid', value: `urn:oid:${manifestUid}` });
    expect(manifestUid).toMatch(/^2\.25\.\d+$/);
    const outcome = validateManifest(bundle);
    expect(outcome.issue?.filter((i) => i.severity !== 'information')).toEqual([]);
  });

  test('every entry has a urn:uuid fullUrl and meta.profile where a profile applies, every reference resolves', () => {
    const resolve = bundleResolver(bundle);
    for (const e of bundle.entry ?? []) {
      expect(e.fullUrl).toBe(`urn:uuid:${e.resource?.id ?? ''}`);
    }
    const refs = JSON.stringify(bundle).match(/"reference":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) {
      expect(resolve(r.slice(13, -1))).toBeDefined();
    }
  });

  test('maps the study, series and instances from DICOM', () => {
    const [is] = resources<ImagingStudy>(bundle, 'ImagingStudy');
    expect(is.identifier?.[0]).toMatchObject({ system: 'urn:dicom:uid', value: `urn:oid:${study.studyInstanceUid}` });
    expect(is.identifier?.[1]).toMatchObject({ system: 'urn:dicom:id', value: '2' });
    expect(is.status).toBe('available');
    expect(is.started).toBe('2001-01-01T00:00:00+00:00'); // TimezoneOffsetFromUTC +0000 wins over the zone
    expect(is.description).toBe('XR C Spine Comp Min 4 Views');
    expect(is.modality).toEqual([{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CR' }]);
    expect(is.numberOfSeries).toBe(3);
    expect(is.numberOfInstances).toBe(3);
    expect(is.series?.map((s) => [s.number, s.description])).toEqual([
      [1, 'Cervical LAT'],
      [2, 'Cervical OBLI 1'],
      [3, 'Cervical OBLI 2'],
    ]);
    const s0 = is.series?.[0];
    expect(s0?.bodySite).toEqual({ system: 'http://snomed.info/sct', code: '122494005', display: 'Cervical spine' });
    expect(s0?.instance?.[0].sopClass).toEqual({
      system: 'urn:ietf:rfc:3986',
      code: 'urn:oid:1.2.840.10008.5.1.4.1.1.1',
    });
    expect(s0?.uid).not.toContain('urn:');
  });

  test('patient, order by accession, device and endpoints', () => {
    const [patient] = resources<Patient>(bundle, 'Patient');
    expect(patient.identifier).toEqual([{ value: '77654033' }]); // no issuer, no --patient-id-system → no system
    expect(patient.name?.[0]).toMatchObject({ family: 'Doe', given: ['Archibald'] });
    const [order] = resources<ServiceRequest>(bundle, 'ServiceRequest');
    expect(order.identifier?.[0]).toMatchObject({
      system: 'urn:dicom:accession-number',
      value: '2',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
    });
    expect(order.category?.[0].coding?.[0].code).toBe('363679005');
    const [is] = resources<ImagingStudy>(bundle, 'ImagingStudy');
    expect(is.basedOn?.[0].identifier?.value).toBe('2');
    const devices = resources<Device>(bundle, 'Device');
    expect(devices).toHaveLength(1); // three series, one modality
    expect(devices[0]).toMatchObject({ manufacturer: 'Agfa-Gevaert AG', modelNumber: 'ADC_5146', status: 'active' });
    const endpoints = resources<Endpoint>(bundle, 'Endpoint');
    const wado = endpoints.find((e) => e.connectionType.code === 'dicom-wado-rs');
    expect(wado?.address).toBe('https://pacs.example.org/dicom-web');
    expect(wado?.payloadMimeType).toHaveLength(17);
    const viewer = endpoints.find((e) => e.connectionType.code === 'ihe-iid');
    expect(viewer?.address).toBe(
      `https://viewer.example.org/launch?study=${study.studyInstanceUid}&acc=2&pid=77654033`
    );
  });

  test('is deterministic: the same study gives the same ids; only timestamps differ', () => {
    const again = buildManifest(loadStudy('dicom/study-cr'), 'eu', { ...options, now: new Date() });
    expect({ ...again.bundle, timestamp: undefined }).toEqual({ ...bundle, timestamp: undefined });
  });
});

describe('buildManifest rules', () => {
  const base = loadStudy('dicom/study-cr');
  const variant = (change: (s: StudyModel) => void): StudyModel => {
    const s = structuredClone(base);
    change(s);
    return s;
  };

  test('no accession number → no order and no basedOn', () => {
    const { bundle } = buildManifest(
      variant((s) => (s.request.accessionNumber = undefined)),
      'eu',
      options
    );
    expect(resources(bundle, 'ServiceRequest')).toEqual([]);
    expect(resources<ImagingStudy>(bundle, 'ImagingStudy')[0].basedOn).toBeUndefined();
    expect(isValid(validateManifest(bundle))).toBe(true);
  });

  test('issuers become systems: ISO → urn:oid, local namespace → documented URI', () => {
    const s = variant((x) => {
      x.patient.id = { value: 'P1', issuer: { universalEntityId: '1.2.3.4', universalEntityIdType: 'ISO' } };
      x.request.accessionIssuer = { localNamespace: 'RIS A' };
    });
    const { bundle } = buildManifest(s, 'eu', options);
    expect(resources<Patient>(bundle, 'Patient')[0].identifier?.[0]).toEqual({
      system: 'urn:oid:1.2.3.4',
      value: 'P1',
    });
    expect(resources<ServiceRequest>(bundle, 'ServiceRequest')[0].identifier?.[0].system).toBe(
      'urn:dicom:issuer:RIS%20A'
    );
  });

  test('--patient-id-system and --accession-system apply without issuer', () => {
    const { bundle } = buildManifest(base, 'eu', {
      ...options,
      patientIdSystem: 'https://hospital.example/mrn',
      accessionSystem: 'https://hospital.example/acc',
    });
    expect(resources<Patient>(bundle, 'Patient')[0].identifier?.[0].system).toBe('https://hospital.example/mrn');
    expect(resources<ServiceRequest>(bundle, 'ServiceRequest')[0].identifier?.[0].system).toBe(
      'https://hospital.example/acc'
    );
  });

  test('viewer URL values are URL-encoded; without --viewer-url there is no viewer endpoint', () => {
    const s = variant((x) => (x.request.accessionNumber = 'A&B 1'));
    const { bundle } = buildManifest(s, 'eu', options);
    const viewer = resources<Endpoint>(bundle, 'Endpoint').find((e) => e.connectionType.code === 'ihe-iid');
    expect(viewer?.address).toContain('acc=A%26B%201');
    const noViewer = buildManifest(base, 'eu', { ...options, viewerUrlTemplate: undefined }).bundle;
    expect(resources<Endpoint>(noViewer, 'Endpoint')).toHaveLength(1);
  });

  test('eu without any DICOMweb address fails naming the option; the RetrieveURL is used when present', () => {
    expect(() => buildManifest(base, 'eu', { ...options, dicomwebBase: undefined })).toThrow(MappingError);
    expect(() => buildManifest(base, 'eu', { ...options, dicomwebBase: undefined })).toThrow(/--dicomweb-base/);
    const s = variant((x) => (x.retrieveUrl = `https://pacs.example/wado/studies/${x.studyInstanceUid}`));
    const wado = resources<Endpoint>(
      buildManifest(s, 'eu', { ...options, dicomwebBase: undefined }).bundle,
      'Endpoint'
    );
    expect(wado[0].address).toBe('https://pacs.example/wado');
  });

  test('an unidentified patient is kept, with a warning', () => {
    const s = variant((x) => (x.patient = { otherIds: [] }));
    const built = buildManifest(s, 'eu', options);
    expect(resources<Patient>(built.bundle, 'Patient')).toHaveLength(1);
    expect(built.warnings).toContain('patient is unidentified: no PatientID and no PatientName');
    expect(isValid(validateManifest(built.bundle))).toBe(true);
  });
});

describe('buildManifest (mado)', () => {
  const study = loadStudy('dicom/study-cr');

  test('is a valid MadoFhirBundle document with Composition, creator and organization', () => {
    const { bundle } = buildManifest(study, 'mado', options);
    expect(bundle.type).toBe('document');
    expect(bundle.entry?.[0].resource?.resourceType).toBe('Composition');
    expect(resources(bundle, 'Organization')).toHaveLength(1);
    const outcome = validateManifest(bundle);
    expect(outcome.issue?.filter((i) => i.severity !== 'information')).toEqual([]);
  });

  test("without any DICOMweb address uses MADO's data-absent convention", () => {
    const { bundle } = buildManifest(study, 'mado', { ...options, dicomwebBase: undefined });
    const wado = resources<Endpoint>(bundle, 'Endpoint').find((e) => e.connectionType.code === 'dicom-wado-rs');
    expect(wado?.address).toBe('http://notspecified');
    const address = (wado as unknown as { _address?: { extension?: unknown[] } } | undefined)?._address;
    expect(address?.extension?.[0]).toEqual({
      url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
      valueCode: 'unknown',
    });
    expect(isValid(validateManifest(bundle))).toBe(true);
  });

  test('eu and mado manifests of one study have different identifiers', () => {
    expect(buildManifest(study, 'mado', options).manifestUid).not.toBe(buildManifest(study, 'eu', options).manifestUid);
  });
});
