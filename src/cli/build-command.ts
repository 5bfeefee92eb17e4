/**
 * `imaging-manifest build <file-or-folder>... [--out FILE | --out-dir DIR] [--flavor eu|mado]
 *  [--dicomweb-base URL] [--viewer-url TEMPLATE] [--patient-id-system URI] [--accession-system URI] [--timezone ZONE]`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStudies } from '../dicom/load-studies.ts';
import type { MappingOptions } from '../mapping/context.ts';
import { MappingError } from '../mapping/endpoints.ts';
import { zoneOffset } from '../mapping/values.ts';
import { buildManifest } from '../manifest/build-manifest.ts';
import { isValid, validateManifest } from '../validation/validate-manifest.ts';
import { formatIssues } from './format-issues.ts';
import { parseFlavor, type Io } from './io.ts';
import { UsageError } from './usage-error.ts';

/** Folders with more files than this get progress lines. */
const PROGRESS_THRESHOLD = 200;

function checkUrl(name: string, value: string | undefined): void {
  if (value !== undefined && !URL.canParse(value.replace(/\{[A-Za-z]+\}/g, 'x'))) {
    throw new UsageError(`--${name} is not a valid URL: ${value}`);
  }
}

function defaultZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Runs `build`.
 * @param args - The arguments after the command name.
 * @param io - Output streams.
 * @returns 0 when every file was read and every study gave a valid manifest; 1 otherwise.
 */
export function buildCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'out-dir': { type: 'string' },
      flavor: { type: 'string', default: 'eu' },
      'dicomweb-base': { type: 'string' },
      'viewer-url': { type: 'string' },
      'patient-id-system': { type: 'string' },
      'accession-system': { type: 'string' },
      timezone: { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    throw new UsageError('build needs at least one DICOM file or folder');
  }
  if (values.out && values['out-dir']) {
    throw new UsageError('give --out or --out-dir, not both');
  }
  const flavor = parseFlavor(values.flavor);
  checkUrl('dicomweb-base', values['dicomweb-base']);
  checkUrl('viewer-url', values['viewer-url']);
  const timezone = values.timezone ?? defaultZone();
  try {
    zoneOffset(timezone, '2000-01-01', '00:00:00');
  } catch {
    throw new UsageError(
      `--timezone is not a known zone: ${timezone} (use an IANA name such as Europe/Paris, or +01:00)`
    );
  }
  const options: MappingOptions = {
    dicomwebBase: values['dicomweb-base']?.replace(/\/+$/, ''),
    viewerUrlTemplate: values['viewer-url'],
    patientIdSystem: values['patient-id-system'],
    accessionSystem: values['accession-system'],
    timezone,
  };

  let loaded;
  try {
    loaded = loadStudies(positionals, {
      onProgress: (done, total) => {
        if (total > PROGRESS_THRESHOLD && (done % 100 === 0 || done === total)) {
          (io.progress ?? io.err)(`reading ${done}/${total} files`);
        }
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { studies, errors, skipped } = loaded;
  skipped.forEach((s) => {
    io.err(`note: skipped ${s.source}: ${s.reason}`);
  });
  errors.forEach((e) => {
    io.err(`error: ${e.source}: ${e.reason}`);
  });
  if (studies.length > 1 && !values['out-dir']) {
    throw new UsageError(`the input holds ${studies.length} studies: use --out-dir to write one manifest per study`);
  }
  if (studies.length === 0) {
    io.err('error: no DICOM instance found in the input');
    return 1;
  }
  let failed = errors.length > 0;
  for (const study of studies) {
    const label = `study ${study.studyInstanceUid}`;
    try {
      const built = buildManifest(study, flavor, options);
      const outcome = validateManifest(built.bundle, flavor);
      const valid = isValid(outcome);
      built.warnings.forEach((w) => {
        io.err(`warning: ${label}: ${w}`);
      });
      formatIssues(outcome, `${label}: `).forEach((l) => {
        io.err(l);
      });
      const instances = study.series.reduce((n, s) => n + s.instances.length, 0);
      const summary = `${study.series.length} series, ${instances} instances, ${study.modalitiesInStudy.join('/') || 'no modality'}`;
      if (!valid) {
        failed = true;
        io.err(`${label}: ${summary}: INVALID manifest, not written`);
        continue;
      }
      const json = JSON.stringify(built.bundle, null, 2);
      if (values['out-dir']) {
        mkdirSync(values['out-dir'], { recursive: true });
        const file = join(values['out-dir'], `${study.studyInstanceUid}.json`);
        writeFileSync(file, `${json}\n`);
        io.err(`${label}: ${summary}: valid ${flavor} manifest written to ${file}`);
      } else if (values.out) {
        mkdirSync(dirname(values.out), { recursive: true });
        writeFileSync(values.out, `${json}\n`);
        io.err(`${label}: ${summary}: valid ${flavor} manifest written to ${values.out}`);
      } else {
        io.out(json);
        io.err(`${label}: ${summary}: valid ${flavor} manifest`);
      }
    } catch (err) {
      if (!(err instanceof MappingError)) {
        throw err;
      }
      failed = true;
      io.err(`error: ${label}: ${err.message}`);
    }
  }
  return failed ? 1 : 0;
}
