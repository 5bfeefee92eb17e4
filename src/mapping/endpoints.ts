/**
 * Endpoints: the DICOMweb WADO-RS endpoint (ImWadoRsEndpoint / MadoWadoEndpoint) and the viewer launch endpoint
 * (ImIheIidViewerEndpoint / MadoWebViewerEndpoint).
 *
 * | Source | FHIR |
 * |---|---|
 * | `--dicomweb-base`, else RetrieveURL (0008,1190) up to `/studies` | WADO Endpoint.address |
 * | RetrieveLocationUID (0040,E011) | MADO: extension[retrieve-location-uid] |
 * | `--viewer-url` template | viewer Endpoint.address |
 */
import type { Endpoint } from '@medplum/fhirtypes';
import { wadoConnection } from '../profiles/profile-set.ts';
import { entry, type Entry, type MappingContext } from './context.ts';
import { deterministicUuid, uuidToUid } from './ids.ts';

/** Raised when a manifest cannot be built from what DICOM and the options give. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** IHE MADO's convention for an unknown WADO address (MadoWadoEndpoint: SHALL be this + data-absent-reason). */
export const MADO_ADDRESS_NOT_SPECIFIED = 'http://notspecified';

/**
 * The DICOMweb base of a RetrieveURL (`…/studies/{uid}[/series/…]` → `…`).
 * @param retrieveUrl - A study, series or instance RetrieveURL.
 * @returns The base URL, or undefined when the URL has no `/studies/` part.
 */
export function dicomwebBaseOf(retrieveUrl: string | undefined): string | undefined {
  const i = retrieveUrl?.indexOf('/studies/') ?? -1;
  return retrieveUrl && i > 0 ? retrieveUrl.slice(0, i) : undefined;
}

/**
 * Maps the WADO-RS endpoint.
 * @param ctx - The mapping context.
 * @returns The Endpoint entry.
 * @throws MappingError (eu flavour) when neither --dicomweb-base nor a RetrieveURL gives an address.
 */
export function mapWadoEndpoint(ctx: MappingContext): Entry<Endpoint> {
  const { profiles, study } = ctx;
  const retrieveUrl = study.retrieveUrl ?? study.series.find((s) => s.retrieveUrl)?.retrieveUrl;
  const address = ctx.options.dicomwebBase ?? dicomwebBaseOf(retrieveUrl) ?? retrieveUrl;
  if (!address && profiles.flavor === 'eu') {
    throw new MappingError(
      'no DICOMweb address: the data has no RetrieveURL (0008,1190); give the WADO-RS base with --dicomweb-base'
    );
  }
  const mado = profiles.flavor === 'mado';
  const locationUid =
    study.series.find((s) => s.retrieveLocationUid)?.retrieveLocationUid ??
    // MADO requires RetrieveLocationUID (0040,E011), which Part-10 files do not carry: a UID is derived from the
    // endpoint's address so that the same location always has the same UID.
    uuidToUid(deterministicUuid('RetrieveLocation', address ?? MADO_ADDRESS_NOT_SPECIFIED));
  return entry<Endpoint>({
    resourceType: 'Endpoint',
    id: deterministicUuid('Endpoint', profiles.flavor, 'wado-rs', address ?? MADO_ADDRESS_NOT_SPECIFIED),
    meta: { profile: [profiles.profiles.wadoEndpoint] },
    ...(mado
      ? {
          extension: [
            {
              url: 'https://profiles.ihe.net/RAD/MADO/StructureDefinition/MadoRetrieveLocationUIDExtension',
              valueString: locationUid,
            },
          ],
        }
      : {}),
    status: 'active',
    connectionType: wadoConnection,
    name: 'DICOMweb WADO-RS',
    payloadType: [profiles.wadoPayloadType],
    payloadMimeType: [...profiles.wadoMimeTypes],
    address: address ?? MADO_ADDRESS_NOT_SPECIFIED,
    ...(address
      ? {}
      : {
          _address: {
            extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }],
          },
        }),
  });
}

/**
 * Fills a viewer URL template; each value is URL-encoded, an absent value becomes empty.
 * @param template - The template with {studyInstanceUid}, {accessionNumber}, {patientId}.
 * @param ctx - The mapping context.
 * @returns The launch URL.
 */
export function viewerUrl(template: string, ctx: MappingContext): string {
  const values: Record<string, string | undefined> = {
    studyInstanceUid: ctx.study.studyInstanceUid,
    accessionNumber: ctx.study.request.accessionNumber,
    patientId: ctx.study.patient.id?.value,
  };
  return template.replace(/\{(studyInstanceUid|accessionNumber|patientId)\}/g, (_, k: string) =>
    encodeURIComponent(values[k] ?? '')
  );
}

/**
 * Maps the viewer endpoint (only when a viewer template is configured).
 * @param ctx - The mapping context.
 * @returns The Endpoint entry, or undefined without --viewer-url.
 */
export function mapViewerEndpoint(ctx: MappingContext): Entry<Endpoint> | undefined {
  const template = ctx.options.viewerUrlTemplate;
  if (!template) {
    return undefined;
  }
  const address = viewerUrl(template, ctx);
  return entry<Endpoint>({
    resourceType: 'Endpoint',
    id: deterministicUuid('Endpoint', ctx.profiles.flavor, 'viewer', address),
    meta: { profile: [ctx.profiles.profiles.viewerEndpoint] },
    status: 'active',
    connectionType: {
      system: 'http://hl7.eu/fhir/imaging-manifest-r4/CodeSystem/codesystem-endpoint-terminology',
      code: 'ihe-iid',
      display: 'IHE IID endpoint',
    },
    name: 'Image viewer (IHE IID)',
    payloadType: [ctx.profiles.viewerPayloadType],
    payloadMimeType: ['text/html'],
    address,
  });
}
