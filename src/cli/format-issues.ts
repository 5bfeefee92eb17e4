/**
 * Human form of OperationOutcome issues, one per line.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';

/**
 * @param outcome - The outcome.
 * @param prefix - Put before each line (e.g. the file name).
 * @returns One line per issue that is not informational.
 */
export function formatIssues(outcome: OperationOutcome, prefix: string): string[] {
  return (outcome.issue ?? [])
    .filter((i) => i.severity !== 'information')
    .map(
      (i) => `${prefix}${i.severity}: ${i.expression?.[0] ?? '(root)'}: ${i.details?.text ?? i.diagnostics ?? i.code}`
    );
}
