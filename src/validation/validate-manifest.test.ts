import type {
  Bundle,
  BundleEntry,
  Device,
  Endpoint,
  ImagingStudy,
  OperationOutcome,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { loadStudy, readProfileJson } from '../../test/helpers/fixtures.ts';
import { buildManifest } from '../manifest/build-manifest.ts';
import { isValid, validateManifest } from './validate-manifest.ts';

const options = {
  timezone: 'UTC',
  dicomwebBase: 'https://pacs.example.org/dicom-web',
  viewerUrlTemplate: 'https://viewer.example.org/?study={studyInstanceUid}',
};
const study = loadStudy('dicom/study-cr');
const euManifest = buildManifest(study, 'eu', options).bundle;
const madoManifest = buildManifest(study, 'mado', options).bundle;

function errors(outcome: OperationOutcome): string[] {
  return (outcome.issue ?? [])
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.expression?.[0] ?? ''}: ${i.details?.text ?? ''}`);
}

function warnings(outcome: OperationOutcome): string[] {
  return (outcome.issue ?? []).filter((i) => i.severity === 'warning').map((i) => i.details?.text ?? '');
}

function entry(bundle: Bundle, predicate: (r: Resource) => boolean): Resource {
  const found = bundle.entry?.find((e) => e.resource && predicate(e.resource))?.resource;
  if (!found) {
    throw new Error('no such entry');
  }
  return found;
}
const entryOf = {
  study: (b: Bundle): ImagingStudy => entry(b, (r) => r.resourceType === 'ImagingStudy') as ImagingStudy,
  device: (b: Bundle): Device => entry(b, (r) => r.resourceType === 'Device') as Device,
  order: (b: Bundle): ServiceRequest => entry(b, (r) => r.resourceType === 'ServiceRequest') as ServiceRequest,
  endpoint: (b: Bundle, predicate: (r: Resource) => boolean): Endpoint => entry(b, predicate) as Endpoint,
};
const isWado = (r: Resource): boolean => r.resourceType === 'Endpoint' && r.connectionType.code === 'dicom-wado-rs';
const isViewer = (r: Resource): boolean => r.resourceType === 'Endpoint' && r.connectionType.code === 'ihe-iid';

/** A copy of a valid manifest with one defect applied. */
function broken(base: Bundle, defect: (b: Bundle) => void): Bundle {
  const copy = structuredClone(base);
  defect(copy);
  return copy;
}

describe('the IG examples', () => {
  test('Example1, with its listed defects corrected, is valid (im-imagingstudy-01 stays a warning)', () => {
    const example = readProfileJson('imaging-manifest-r4/Bundle-Example1-ImagingStudyManifest.json');
    // Defect 1: connectionType code 'dicom-wado-rs]]'. Defect 5: the endpoint reference does not match the entry's
    // fullUrl, and the type is searchset.
    const endpoint = entryOf.endpoint(example, (r) => r.resourceType === 'Endpoint');
    endpoint.connectionType.code = 'dicom-wado-rs';
    entryOf.study(example).endpoint = [{ reference: 'Endpoint/endpoint' }];
    example.type = 'collection';
    const outcome = validateManifest(example);
    expect(errors(outcome)).toEqual([]);
    // Its study identifier value is a bare UID, not urn:oid: (warning-level invariant, corrected to urn:oid:).
    expect(warnings(outcome)).toEqual([
      "Constraint im-imagingstudy-01 not met: A DICOM instance UID must start with 'urn:oid:'",
    ]);
  });

  test('Example1 as published fails for its defects', () => {
    const outcome = validateManifest(readProfileJson('imaging-manifest-r4/Bundle-Example1-ImagingStudyManifest.json'));
    expect(errors(outcome).join('\n')).toMatch(/Endpoint\/Example-WadoEndpoint does not resolve/);
    expect(errors(outcome).join('\n')).toMatch(/connectionType: value does not match the pattern/);
  });

  test('Example2 fails for its known reasons: no Endpoint entry, an endpoint reference outside the Bundle', () => {
    const outcome = validateManifest(readProfileJson('imaging-manifest-r4/Bundle-Example2-ImagingStudyManifest.json'));
    expect(isValid(outcome)).toBe(false);
    expect(errors(outcome)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Bundle\.entry:endpoint \(slice endpoint\): minimum required = 1, but only found 0/),
        expect.stringMatching(/does not resolve to an entry of the Bundle/),
      ])
    );
  });

  test('the IHE MADO example document is valid', () => {
    const outcome = validateManifest(readProfileJson('ihe-mado/Bundle-mado-bundle-589331894518000.json'));
    expect(errors(outcome)).toEqual([]);
  });
});

describe('deliberately broken manifests each fail with the expected message', () => {
  const cases: [string, Bundle, RegExp][] = [
    [
      'missing ImagingStudy entry',
      broken(euManifest, (b) => (b.entry = b.entry?.filter((e) => e.resource?.resourceType !== 'ImagingStudy'))),
      /Bundle\.entry:imagingstudy \(slice imagingstudy\): minimum required = 1, but only found 0/,
    ],
    [
      'two ImagingStudy entries',
      broken(euManifest, (b) => {
        const is = structuredClone(b.entry?.find((e) => e.resource?.resourceType === 'ImagingStudy')) as BundleEntry;
        b.entry?.push({ ...is, fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001' });
      }),
      /slice imagingstudy\): maximum allowed = 1, but found 2/,
    ],
    [
      'a missing WADO mime type',
      broken(euManifest, (b) => {
        const e = entryOf.endpoint(b, isWado);
        e.payloadMimeType = e.payloadMimeType?.filter((m) => m !== 'image/jxl');
      }),
      /payloadMimeType:image-jxl \(slice image-jxl\): minimum required = 1, but only found 0/,
    ],
    [
      'wrong device category',
      broken(euManifest, (b) => {
        const d = entryOf.device(b);
        const ext = d.extension?.[0];
        if (ext?.valueCodeableConcept?.coding?.[0]) {
          ext.valueCodeableConcept.coding[0].code = '49062001';
        }
      }),
      /extension\[0\]\.valueCodeableConcept: value does not match the pattern value .*314789007/,
    ],
    [
      'device without the imaging category extension',
      broken(euManifest, (b) => (entryOf.device(b).extension = undefined)),
      /Device\.extension:imagingCategory \(slice imagingCategory\): minimum required = 1, but only found 0/,
    ],
    [
      'accession identifier without type on basedOn',
      broken(euManifest, (b) => {
        const id = entryOf.study(b).basedOn?.[0].identifier;
        if (id) {
          delete id.type;
        }
      }),
      /basedOn\[0\]\.identifier\.type: Identifier\.type: minimum required = 1, but only found 0/,
    ],
    [
      'unresolvable reference',
      broken(euManifest, (b) => (entryOf.study(b).subject = { reference: 'Patient/nowhere' })),
      /reference Patient\/nowhere does not resolve to an entry of the Bundle/,
    ],
    [
      'wrong connection type on the WADO endpoint',
      broken(euManifest, (b) => (entryOf.endpoint(b, isWado).connectionType.code = 'dicom-qido-rs')),
      /connectionType: value does not match the pattern value \{"code":"dicom-wado-rs"/,
    ],
    [
      'missing fullUrl',
      broken(euManifest, (b) => {
        if (b.entry?.[2]) {
          delete b.entry[2].fullUrl;
        }
      }),
      /Bundle\.entry\[2\]\.fullUrl: Bundle\.entry(:\w+)?\.fullUrl: minimum required = 1, but only found 0/,
    ],
    [
      'a status outside its value set',
      broken(euManifest, (b) => (entryOf.study(b).status = 'bogus' as ImagingStudy['status'])),
      /status: value bogus is not in the required value set http:\/\/hl7\.org\/fhir\/ValueSet\/imagingstudy-status/,
    ],
    [
      'order without the imaging category',
      broken(euManifest, (b) => (entryOf.order(b).category = [{ text: 'x-ray' }])),
      /ServiceRequest\.category:imaging \(slice imaging\): minimum required = 1, but only found 0/,
    ],
    [
      'study identifier without urn:dicom:uid',
      broken(euManifest, (b) => {
        const id = entryOf.study(b).identifier?.[0];
        if (id) {
          id.system = 'urn:ietf:rfc:3986';
        }
      }),
      /ImagingStudy\.identifier:studyInstanceUid \(slice studyInstanceUid\): minimum required = 1, but only found 0/,
    ],
    [
      'viewer endpoint without the IHE IID payload type',
      broken(euManifest, (b) => (entryOf.endpoint(b, isViewer).payloadType = [{ text: 'HTML' }])),
      /Endpoint\.payloadType:iid \(slice iid\): minimum required = 1, but only found 0/,
    ],
    [
      'subject pointing at the order',
      broken(euManifest, (b) => {
        const order = b.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest');
        entryOf.study(b).subject = { reference: order?.fullUrl ?? '' };
      }),
      /subject: reference to ServiceRequest, but only Patient, Device allowed/,
    ],
    [
      'an unknown property',
      broken(euManifest, (b) => ((entryOf.study(b) as unknown as Record<string, unknown>).colour = 'red')),
      /colour/,
    ],
    [
      'MADO document without its Composition',
      broken(madoManifest, (b) => (b.entry = b.entry?.filter((e) => e.resource?.resourceType !== 'Composition'))),
      /Bundle\.entry:composition \(slice composition\): minimum required = 1, but only found 0/,
    ],
    [
      'MADO series without a WADO endpoint',
      broken(madoManifest, (b) => {
        const s = entryOf.study(b).series?.[0];
        if (s) {
          delete s.endpoint;
        }
      }),
      /ImagingStudy\.series\.endpoint: minimum required = 1, but only found 0|series\.endpoint:wado/,
    ],
  ];

  test.each(cases)('%s', (_name, bundle, expected) => {
    const outcome = validateManifest(bundle);
    expect(isValid(outcome)).toBe(false);
    expect(errors(outcome).join('\n')).toMatch(expected);
  });

  test('the valid manifests they derive from pass', () => {
    expect(errors(validateManifest(euManifest))).toEqual([]);
    expect(errors(validateManifest(madoManifest))).toEqual([]);
  });

  test('something that is not a Bundle is fatal', () => {
    expect(validateManifest({ resourceType: 'Patient' }).issue?.[0]).toMatchObject({ severity: 'fatal' });
    expect(validateManifest('nope').issue?.[0]).toMatchObject({ severity: 'fatal' });
  });
});
