/**
 * General Equipment module → ImImagingDevice, one per distinct manufacturer + model + serial number across the
 * study's series. A series without any equipment attribute has no device (none is invented).
 *
 * | DICOM | FHIR |
 * |---|---|
 * | DeviceUID (0018,1002) | identifier (system urn:dicom:uid) |
 * | DeviceID (0018,1003) | identifier |
 * | UDISequence (0018,100A) > UniqueDeviceIdentifier (0018,1009) | udiCarrier.deviceIdentifier |
 * | Manufacturer (0008,0070) | manufacturer |
 * | ManufacturerModelName (0008,1090) | modelNumber, deviceName (model-name) |
 * | StationName (0008,1010) | deviceName (user-friendly-name) |
 * | DeviceSerialNumber (0018,1000) | serialNumber |
 * | SoftwareVersions (0018,1020) | version[] |
 * | (fixed) | status `active`; extension[imagingCategory] SNOMED 314789007 Diagnostic imaging equipment |
 */
import type { Device } from '@medplum/fhirtypes';
import type { EquipmentModel } from '../dicom/study-model.ts';
import { entry, type Entry, type MappingContext } from './context.ts';
import { deterministicUuid } from './ids.ts';
import { uidValue } from './identifiers.ts';

/** The identity of a device: manufacturer + model + serial number. */
export function deviceKey(e: EquipmentModel): string | undefined {
  if (!e.manufacturer && !e.modelName && !e.serialNumber && !e.stationName && !e.deviceUid && !e.udi) {
    return undefined;
  }
  return [e.manufacturer ?? '', e.modelName ?? '', e.serialNumber ?? e.deviceUid ?? e.stationName ?? ''].join('|');
}

function mapDevice(e: EquipmentModel, key: string, ctx: MappingContext): Entry<Device> {
  const identifier = [
    ...(e.deviceUid ? [{ system: 'urn:dicom:uid', value: uidValue(e.deviceUid) }] : []),
    ...(e.deviceId ? [{ value: e.deviceId }] : []),
  ];
  const deviceName = [
    ...(e.stationName ? [{ name: e.stationName, type: 'user-friendly-name' as const }] : []),
    ...(e.modelName ? [{ name: e.modelName, type: 'model-name' as const }] : []),
  ];
  return entry<Device>({
    resourceType: 'Device',
    id: deterministicUuid('Device', key),
    meta: { profile: [ctx.profiles.profiles.device] },
    extension: [
      {
        url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Device.category',
        valueCodeableConcept: {
          coding: [{ system: 'http://snomed.info/sct', code: '314789007', display: 'Diagnostic imaging equipment' }],
        },
      },
    ],
    ...(identifier.length ? { identifier } : {}),
    ...(e.udi ? { udiCarrier: [{ deviceIdentifier: e.udi }] } : {}),
    status: 'active',
    ...(e.manufacturer ? { manufacturer: e.manufacturer } : {}),
    ...(e.serialNumber ? { serialNumber: e.serialNumber } : {}),
    ...(deviceName.length ? { deviceName } : {}),
    ...(e.modelName ? { modelNumber: e.modelName } : {}),
    ...(e.softwareVersions.length ? { version: e.softwareVersions.map((value) => ({ value })) } : {}),
  });
}

/**
 * Maps the distinct acquisition devices of a study.
 * @param ctx - The mapping context.
 * @returns The device entries by device key (see deviceKey).
 */
export function mapDevices(ctx: MappingContext): Map<string, Entry<Device>> {
  const devices = new Map<string, Entry<Device>>();
  for (const series of ctx.study.series) {
    const key = deviceKey(series.equipment);
    if (key && !devices.has(key)) {
      devices.set(key, mapDevice(series.equipment, key, ctx));
    }
  }
  return devices;
}
