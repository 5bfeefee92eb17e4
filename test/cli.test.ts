import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, test } from 'vitest';
import { run } from '../src/cli/main.ts';
import { fixturePath } from './helpers/fixtures.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const base = ['--dicomweb-base', 'https://pacs.example.org/dicom-web', '--timezone', 'Europe/Paris'];

describe('imaging-manifest build', () => {
  test('one study → manifest JSON on stdout, summary on stderr, exit 0', async () => {
    const r = await cli('build', fixturePath('dicom'), ...base);
    expect(r.code).toBe(0);
    const bundle = JSON.parse(r.out) as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(r.err).toMatch(
      /study 1\.3\.6\.1\.4\.1\.5962\.1\.1\.0\.0\.0\.1196527414\.5534\.0\.1: 3 series, 3 instances, CR: valid eu manifest/
    );
    expect(r.err).not.toMatch(/Doe|Archibald|77654033/); // no PHI in the summary
  });

  test('--out-dir writes <StudyInstanceUID>.json per study; --out with several studies is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-'));
    const r = await cli('build', fixturePath('multi-study'), '--out-dir', dir, '--flavor', 'mado', ...base);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.1.json',
      '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.133.json',
      '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.427.json',
    ]);
    const bundle = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')) as Bundle;
    expect(bundle.type).toBe('document');
    expect((await cli('build', fixturePath('multi-study'), '--out', join(dir, 'x.json'), ...base)).code).toBe(2);
  });

  test('a bad file among good ones: the manifest is still written, the exit code is 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-'));
    const r = await cli(
      'build',
      fixturePath('dicom'),
      fixturePath('broken/MR_truncated.dcm'),
      '--out-dir',
      dir,
      ...base
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: .*MR_truncated\.dcm: truncated file/);
    expect(readdirSync(dir)).toEqual(['1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1.json']); // the good study is still written
  });

  test('a folder of more than 200 files reports progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-many-'));
    const bytes = readFileSync(fixturePath('part10/CT_small.dcm'));
    for (let i = 0; i < 250; i++) {
      writeFileSync(join(dir, `f${i}`), bytes);
    }
    const progress: string[] = [];
    const code = await run(['build', dir, '--out-dir', join(dir, 'out'), ...base], {
      out: () => undefined,
      err: () => undefined,
      progress: (t) => progress.push(t),
    });
    expect(code).toBe(0);
    expect(progress).toEqual(['reading 100/250 files', 'reading 200/250 files', 'reading 250/250 files']);
  });

  test('eu without a DICOMweb address fails for that study, naming the option', async () => {
    const r = await cli('build', fixturePath('dicom'), '--timezone', 'UTC');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--dicomweb-base/);
    expect(r.out).toBe('');
  });

  test('usage errors exit 2', async () => {
    expect((await cli('build')).code).toBe(2);
    expect((await cli('build', fixturePath('dicom'), '--flavor', 'us')).code).toBe(2);
    expect((await cli('build', fixturePath('dicom'), '--timezone', 'Mars/Base')).code).toBe(2);
    expect((await cli('build', fixturePath('dicom'), '--out', 'a', '--out-dir', 'b')).code).toBe(2);
    expect((await cli('build', fixturePath('dicom'), '--bogus')).code).toBe(2);
    expect((await cli('build', '/no/such/folder')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('imaging-manifest validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-'));
  const good = join(dir, 'good.json');
  beforeAll(async () => {
    writeFileSync(good, (await cli('build', fixturePath('dicom'), ...base)).out);
  });

  test('a valid manifest exits 0; --json prints the OperationOutcome', async () => {
    const r = await cli('validate', good, '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });

  test('an invalid manifest or a non-Bundle exits 1 with the issues on stderr', async () => {
    const bad = join(dir, 'bad.json');
    const bundle = JSON.parse(readFileSync(good, 'utf8')) as Bundle;
    bundle.entry = bundle.entry?.filter((e) => e.resource?.resourceType !== 'Endpoint');
    writeFileSync(bad, JSON.stringify(bundle));
    const r = await cli('validate', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/slice endpoint\): minimum required = 1/);
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, 'not json');
    expect((await cli('validate', notJson)).code).toBe(1);
    expect((await cli('validate')).code).toBe(2);
  });
});

describe('imaging-manifest demo (the main job on the embedded default)', () => {
  test('runs ingest → enrichment → publication on the in-memory Medplum and writes the stored, valid manifest', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'im-')), 'demo', 'manifest.json');
    const r = await cli('demo', '--out', out, '--viewer-url', 'http://localhost:3000/viewer?s={studyInstanceUid}');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/3 series, 3 instances, CR; manifest Bundle\/[0-9a-f-]+ \(6 entries, valid\)/);
    expect(r.err).toMatch(/bot runs: ingest-dicom \d+, enrich-imaging-study \d+/);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as Bundle;
    expect((await cli('validate', out)).code).toBe(0);
    expect(bundle.entry?.map((e) => e.resource?.resourceType).sort()).toEqual([
      'Device',
      'Endpoint',
      'Endpoint',
      'ImagingStudy',
      'Patient',
      'ServiceRequest',
    ]);
  });
});

describe('the installed command', () => {
  test('runs from the repo root as npm run imaging-manifest, with the embedded sample', () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-'));
    const out = join(dir, 'not-yet', 'm.json'); // --out creates its folder, as `npm run demo` needs
    const r = spawnSync(
      'npm',
      ['run', '--silent', 'imaging-manifest', '--', 'build', 'test/fixtures/dicom', '--out', out, ...base],
      { cwd: fixturePath('../..'), encoding: 'utf8' }
    );
    expect(r.stderr).toMatch(/valid eu manifest written/);
    expect(r.status).toBe(0);
    expect(
      execFileSync('node', ['bin/imaging-manifest.js', 'validate', out], {
        cwd: fixturePath('../..'),
        encoding: 'utf8',
        stdio: 'pipe',
      })
    ).toBe('');
  });
});
