/**
 * `imaging-manifest demo [<file-or-folder>...] [--out FILE] [--flavor eu|mado] [--viewer-url TEMPLATE]`: the whole
 * flow on an in-memory Medplum (the embedded default). The DICOM files (default: the sample shipped in
 * test/fixtures/dicom) are stored as Binaries and given to the ingest-dicom bot; the ImagingStudy Subscription runs
 * enrich-imaging-study, which publishes the manifest; the stored manifest is then read back through its
 * DocumentReference, validated, summarised and written to a file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Bundle, DocumentReference, ImagingStudy } from '@medplum/fhirtypes';
import { listFiles } from '../dicom/load-studies.ts';
import { createEmbeddedProject, secretsOf } from '../embedded/embedded-project.ts';
import { isValid, validateManifest } from '../validation/validate-manifest.ts';
import { formatIssues } from './format-issues.ts';
import { parseFlavor, type Io } from './io.ts';

const SAMPLE = fileURLToPath(new URL('../../test/fixtures/dicom', import.meta.url));

/**
 * Runs `demo`.
 * @param args - The arguments after the command name.
 * @param io - Output streams.
 * @returns 0 when every stored manifest is valid.
 */
export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'out/manifest.json' },
      flavor: { type: 'string', default: 'eu' },
      'viewer-url': { type: 'string' },
    },
  });
  const flavor = parseFlavor(values.flavor);
  const { medplum, runner } = await createEmbeddedProject(
    secretsOf({ MANIFEST_FLAVOR: flavor, VIEWER_URL_TEMPLATE: values['viewer-url'], TIMEZONE: 'UTC' })
  );
  const files = listFiles(positionals.length ? positionals : [SAMPLE]);
  io.err(`in-memory Medplum: ingesting ${files.length} DICOM file(s) through the ingest-dicom bot`);
  for (const file of files) {
    const binary = await medplum.createBinary({ data: readFileSync(file), contentType: 'application/dicom' });
    await runner.execute('ingest-dicom', { ...binary, data: readFileSync(file).toString('base64') });
    await runner.drain();
  }
  await runner.execute('ingest-dicom', { sync: true });
  await runner.drain();
  const studies = await medplum.searchResources('ImagingStudy', { _count: '100' });
  let failed = false;
  for (const study of studies as (ImagingStudy & { id: string })[]) {
    const docs = await medplum.searchResources('DocumentReference', { related: `ImagingStudy/${study.id}` });
    const doc = docs[0] as DocumentReference | undefined;
    const url = doc?.content[0]?.attachment.url;
    if (!doc || !url) {
      io.err(`ImagingStudy/${study.id}: no manifest was published`);
      failed = true;
      continue;
    }
    const manifest = (await medplum.readReference({ reference: url })) as Bundle;
    const outcome = validateManifest(manifest);
    formatIssues(outcome, `${url}: `).forEach((l) => {
      io.err(l);
    });
    const valid = isValid(outcome);
    failed ||= !valid;
    io.err(
      `ImagingStudy/${study.id}: ${study.numberOfSeries ?? 0} series, ${study.numberOfInstances ?? 0} instances, ` +
        `${(study.modality ?? []).map((m) => m.code).join('/')}; manifest ${url} (${manifest.entry?.length ?? 0} entries, ` +
        `${valid ? 'valid' : 'INVALID'}), DocumentReference/${doc.id ?? ''}`
    );
    const out = studies.length > 1 ? values.out.replace(/\.json$/, `-${study.id}.json`) : values.out;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
    io.err(`written to ${out}`);
  }
  io.err(`bot runs: ${[...runner.runs].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  runner.failures.forEach((f) => {
    io.err(`bot run failed (redelivered): ${f.bot}: ${f.error}`);
  });
  return failed || studies.length === 0 ? 1 : 0;
}
