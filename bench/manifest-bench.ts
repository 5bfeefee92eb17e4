/**
 * `npm run bench`: cost of the pipeline on generated studies of 100, 1,000 and 10,000 instances.
 *
 * Each instance is a real CT header (test/fixtures/part10/CT_small.dcm without its pixel data) with its own UIDs
 * and numbers, spread over 10 series, written to a temporary folder as Part-10 files (one per instance) and as one
 * DICOM JSON WADO-RS metadata document. Every measurement runs in a fresh process, so peak memory (max RSS) is its
 * own. parse = dcmjs alone (Part-10: read every file + readFile + naturalize; JSON: JSON.parse + naturalize);
 * pipeline = what `imaging-manifest build` does: read, group, build and validate the manifest (loading the
 * definitions once is start-up, outside the timing, inside the memory).
 * Targets (reported, never asserted): Part-10 ratio ≤ 1.3, cost linear in instances, 10,000 instances < 300 MB.
 * Then the size of each built bot bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dcmjs from 'dcmjs';
import type { DicomJsonDataset } from 'dcmjs';
import '../src/runtime/websocket-shim.ts';
import { BOTS } from '../src/medplum/deployment.ts';

type Source = 'part10' | 'json';

function template(): { meta: DicomJsonDataset; dict: DicomJsonDataset } {
  const b = readFileSync(new URL('../test/fixtures/part10/CT_small.dcm', import.meta.url));
  const d = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const dict = { ...d.dict };
  delete dict['7FE00010'];
  return { meta: d.meta, dict };
}

/** Writes the study as Part-10 files and as one metadata document; returns the two folders. */
function generate(count: number, root: string): Record<Source, string> {
  const { meta, dict } = template();
  const study = '1.2.826.0.1.3680043.10.1000.1';
  const dirs = { part10: join(root, `part10-${count}`), json: join(root, `json-${count}`) };
  mkdirSync(dirs.part10);
  mkdirSync(dirs.json);
  const metadata: DicomJsonDataset[] = [];
  for (let i = 0; i < count; i++) {
    const series = i % 10;
    const sop = `${study}.${series}.${i}`;
    const ds: DicomJsonDataset = {
      ...dict,
      '0020000D': { vr: 'UI', Value: [study] },
      '0020000E': { vr: 'UI', Value: [`${study}.${series}`] },
      '00200011': { vr: 'IS', Value: [series + 1] },
      '00080018': { vr: 'UI', Value: [sop] },
      '00200013': { vr: 'IS', Value: [Math.floor(i / 10) + 1] },
    };
    metadata.push(ds);
    const dd = new dcmjs.data.DicomDict({ ...meta, '00020003': { vr: 'UI', Value: [sop] } });
    dd.dict = ds;
    writeFileSync(join(dirs.part10, `${i}.dcm`), new Uint8Array(dd.write()));
  }
  writeFileSync(join(dirs.json, 'metadata.json'), JSON.stringify(metadata));
  return dirs;
}

async function runCase(dir: string, source: Source, mode: 'parse' | 'pipeline'): Promise<number> {
  const { readPart10 } = await import('../src/dicom/read-part10.ts');
  const { dicomJsonDatasets, naturalize } = await import('../src/dicom/read-dicom-json.ts');
  const { loadStudies } = await import('../src/dicom/load-studies.ts');
  const { buildManifest } = await import('../src/manifest/build-manifest.ts');
  const { validateManifest, isValid } = await import('../src/validation/validate-manifest.ts');
  const { getConformance } = await import('../src/validation/conformance.ts');
  if (mode === 'pipeline') {
    getConformance();
  }
  const files = readdirSync(dir).map((f) => join(dir, f));
  const start = performance.now();
  if (mode === 'parse') {
    for (const file of files) {
      const bytes = readFileSync(file);
      if (source === 'part10') {
        readPart10(bytes);
      } else {
        dicomJsonDatasets(JSON.parse(bytes.toString('utf8'))).forEach(naturalize);
      }
    }
  } else {
    const { studies } = loadStudies([dir]);
    const { bundle } = buildManifest(studies[0], 'eu', {
      timezone: 'UTC',
      dicomwebBase: 'https://pacs.example/dicom-web',
    });
    if (!isValid(validateManifest(bundle))) {
      throw new Error('benchmark manifest is invalid');
    }
  }
  return performance.now() - start;
}

interface Measure {
  ms: number;
  maxRssMb: number;
}

async function main(): Promise<void> {
  const [, , dir, source, mode] = process.argv;
  if (dir) {
    const ms = await runCase(dir, source as Source, mode as 'parse' | 'pipeline');
    process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const root = mkdtempSync(join(tmpdir(), 'imaging-manifest-bench-'));
  const measure = (d: string, s: Source, m: string): Measure =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, d, s, m], { encoding: 'utf8' })) as Measure;
  const rows: string[][] = [];
  try {
    const sizes = [100, 1_000, 10_000];
    const dirs = sizes.map((n) => generate(n, root));
    for (const source of ['part10', 'json'] as const) {
      sizes.forEach((n, i) => {
        const parse = measure(dirs[i][source], source, 'parse');
        const pipeline = measure(dirs[i][source], source, 'pipeline');
        rows.push([
          source,
          n.toLocaleString('en'),
          parse.ms.toFixed(0),
          pipeline.ms.toFixed(0),
          (pipeline.ms / parse.ms).toFixed(2),
          ((pipeline.ms / n) * 1000).toFixed(0),
          parse.maxRssMb.toFixed(0),
          pipeline.maxRssMb.toFixed(0),
        ]);
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const head = ['source', 'instances', 'parse ms', 'pipeline ms', 'ratio', 'µs/instance', 'parse MB', 'pipeline MB'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach((r) => {
    console.log(line(r));
  });
  bundleSizes();
}

/** The size of each built bot (targets: ≤ 1 MB; ≤ 2 MB for the one that parses Part-10 files). */
function bundleSizes(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-bots.ts'], { stdio: 'pipe' });
  console.log('');
  console.log('| bot bundle | KB | target KB |');
  console.log('|---|---|---|');
  for (const bot of BOTS) {
    const kb = statSync(bot.dist).size / 1024;
    console.log(`| ${bot.dist} | ${kb.toFixed(0)} | ${bot.name === 'ingest-dicom' ? 2048 : 1024} |`);
  }
}

await main();
