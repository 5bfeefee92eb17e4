/**
 * DICOMweb client for what the bots need: WADO-RS study metadata (PS3.18 10.4), with retries of 429/5xx that
 * honour Retry-After / RateLimit.
 */
import { HttpError, retryAfterMs, withRetry } from './retry.ts';

/** How to reach a PACS. */
export interface DicomwebTarget {
  base: string;
  authorization?: string;
  /** The fetch to use (the bot's global fetch by default). */
  fetch?: typeof fetch;
}

/**
 * GET `{base}/studies/{uid}/metadata` as DICOM JSON.
 * @param target - The PACS.
 * @param studyInstanceUid - The study.
 * @param deadline - Retry until this time (ms since epoch).
 * @returns The instances' DICOM JSON datasets.
 * @throws HttpError with the status when the PACS refuses (404 when it does not know the study).
 */
export async function fetchStudyMetadata(
  target: DicomwebTarget,
  studyInstanceUid: string,
  deadline: number
): Promise<unknown[]> {
  const doFetch = target.fetch ?? fetch;
  const url = `${target.base.replace(/\/+$/, '')}/studies/${encodeURIComponent(studyInstanceUid)}/metadata`;
  return withRetry(
    async () => {
      const response = await doFetch(url, {
        headers: {
          accept: 'application/dicom+json, application/json',
          ...(target.authorization ? { authorization: target.authorization } : {}),
        },
      });
      if (!response.ok) {
        throw new HttpError(
          `DICOMweb metadata request failed: HTTP ${response.status}`,
          response.status,
          retryAfterMs(response.headers)
        );
      }
      const body = await response.json();
      if (!Array.isArray(body)) {
        throw new HttpError('DICOMweb metadata response is not a JSON array', 502);
      }
      return body as unknown[];
    },
    { deadline }
  );
}
