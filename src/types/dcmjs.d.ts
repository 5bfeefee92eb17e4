/** The part of dcmjs 0.52's API this project uses (the package ships no type declarations). */
declare module 'dcmjs' {
  /** One element of the DICOM JSON model (PS3.18 F.2), as dcmjs reads it from Part-10. */
  export interface DicomJsonElement {
    vr: string;
    Value?: unknown[];
    InlineBinary?: string;
    BulkDataURI?: string;
  }
  export type DicomJsonDataset = Record<string, DicomJsonElement>;
  /** dcmjs's "naturalized" dataset: keywords as keys, sequences as arrays of datasets. */
  export type NaturalizedDataset = Record<string, unknown>;

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  export class DicomDict {
    constructor(meta: DicomJsonDataset);
    meta: DicomJsonDataset;
    dict: DicomJsonDataset;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }

  interface DicomMessageStatic {
    readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
  }

  interface DicomMetaDictionaryStatic {
    naturalizeDataset(dataset: DicomJsonDataset): NaturalizedDataset;
    denaturalizeDataset(dataset: NaturalizedDataset): DicomJsonDataset;
    uid(): string;
    dictionary: Record<string, { tag: string; vr: string; name: string }>;
    nameMap: Record<string, { tag: string; vr: string; name: string }>;
  }

  interface Logger {
    warn: (...args: unknown[]) => void;
    error: (...args: unknown[]) => void;
    info: (...args: unknown[]) => void;
    setLevel(level: string): void;
    getLogger(name: string): Logger;
  }

  const dcmjs: {
    data: {
      DicomMessage: DicomMessageStatic;
      DicomMetaDictionary: DicomMetaDictionaryStatic;
      DicomDict: typeof DicomDict;
    };
    log: Logger;
  };
  export default dcmjs;
}
