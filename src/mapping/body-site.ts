/**
 * BodyPartExamined (0018,0015) and Laterality (0020,0060) → SNOMED CT Codings, for the defined terms of
 * PS3.16 CID 4031 whose SNOMED code the DICOM standard lists (Annex L). A value not in this table keeps its DICOM
 * term as the Coding's display, without a code.
 */
import type { Coding } from '@medplum/fhirtypes';

const SCT = 'http://snomed.info/sct';

const BODY_PARTS: Record<string, [string, string]> = {
  ABDOMEN: ['818981001', 'Abdomen'],
  ABDOMENPELVIS: ['818982008', 'Abdomen and Pelvis'],
  ANKLE: ['70258002', 'Ankle joint'],
  BRAIN: ['12738006', 'Brain'],
  BREAST: ['76752008', 'Breast'],
  CHEST: ['43799004', 'Chest'],
  CHESTABDOMEN: ['416550000', 'Chest and Abdomen'],
  CHESTABDPELVIS: ['416775004', 'Chest, Abdomen and Pelvis'],
  CSPINE: ['122494005', 'Cervical spine'],
  ELBOW: ['16953009', 'Elbow joint'],
  EXTREMITY: ['66019005', 'Extremity'],
  FOOT: ['56459004', 'Foot'],
  HAND: ['85562004', 'Hand'],
  HEAD: ['69536005', 'Head'],
  HEADNECK: ['774007', 'Head and Neck'],
  HEART: ['80891009', 'Heart'],
  HIP: ['24136001', 'Hip joint'],
  KIDNEY: ['64033007', 'Kidney'],
  KNEE: ['72696002', 'Knee'],
  LIVER: ['10200004', 'Liver'],
  LSPINE: ['122496007', 'Lumbar spine'],
  NECK: ['45048000', 'Neck'],
  PELVIS: ['816092008', 'Pelvis'],
  SHOULDER: ['16982005', 'Shoulder'],
  SKULL: ['89546000', 'Skull'],
  SPINE: ['421060004', 'Spine'],
  TSPINE: ['122495006', 'Thoracic spine'],
  WHOLEBODY: ['38266002', 'Entire body as a whole'],
  WRIST: ['74670003', 'Wrist joint'],
};

const LATERALITY: Record<string, [string, string]> = {
  R: ['24028007', 'Right'],
  L: ['7771000', 'Left'],
  B: ['51440002', 'Right and left'],
};

function lookup(table: Record<string, [string, string]>, value: string | undefined): Coding | undefined {
  if (!value) {
    return undefined;
  }
  const hit = table[value.toUpperCase().replace(/[\s_-]/g, '')];
  return hit ? { system: SCT, code: hit[0], display: hit[1] } : { display: value };
}

/**
 * @param bodyPartExamined - The DICOM defined term.
 * @returns The Coding, or undefined when absent.
 */
export function bodySiteCoding(bodyPartExamined: string | undefined): Coding | undefined {
  return lookup(BODY_PARTS, bodyPartExamined);
}

/**
 * @param laterality - R, L or B (U and other values are not mapped).
 * @returns The Coding, or undefined.
 */
export function lateralityCoding(laterality: string | undefined): Coding | undefined {
  const coding = lookup(LATERALITY, laterality);
  return coding?.code ? coding : undefined;
}
