/**
 * `imaging-manifest validate <bundle.json>... [--flavor eu|mado] [--json]`
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Flavor } from '../profiles/profile-set.ts';
import { isValid, validateManifest } from '../validation/validate-manifest.ts';
import { formatIssues } from './format-issues.ts';
import { UsageError } from './usage-error.ts';
import { parseFlavor, type Io } from './io.ts';

/**
 * Runs `validate`.
 * @param args - The arguments after the command name.
 * @param io - Output streams.
 * @returns The exit code: 0 valid (warnings allowed), 1 any error or a file that is not a JSON Bundle.
 */
export function validateCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { flavor: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length === 0) {
    throw new UsageError('validate needs at least one manifest file');
  }
  const flavor: Flavor | undefined = values.flavor === undefined ? undefined : parseFlavor(values.flavor);
  let failed = false;
  const outcomes: OperationOutcome[] = [];
  for (const file of positionals) {
    let outcome: OperationOutcome;
    try {
      outcome = validateManifest(JSON.parse(readFileSync(file, 'utf8')), flavor);
    } catch (err) {
      outcome = {
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'fatal', code: 'structure', details: { text: `cannot read JSON: ${(err as Error).message}` } },
        ],
      };
    }
    outcomes.push(outcome);
    const valid = isValid(outcome);
    failed ||= !valid;
    formatIssues(outcome, `${file}: `).forEach((l) => {
      io.err(l);
    });
    io.err(`${file}: ${valid ? 'valid' : 'INVALID'}`);
  }
  if (values.json) {
    io.out(JSON.stringify(outcomes.length === 1 ? outcomes[0] : outcomes, null, 2));
  }
  return failed ? 1 : 0;
}
