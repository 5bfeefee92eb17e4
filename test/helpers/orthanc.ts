/**
 * A private Orthanc (Debian packages `orthanc`, `orthanc-dicomweb`) for tests: its own config, port and storage
 * folder, loopback only (RemoteAccessAllowed false; the DICOM listener off, since Orthanc 1.10 cannot bind it to
 * loopback). Not the system service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BINARY = ['/usr/sbin/Orthanc', '/usr/bin/Orthanc'].find((p) => existsSync(p));
const PLUGIN = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/libOrthancDicomWeb.so'].find(
  (p) => existsSync(p)
);

/** Whether Orthanc and its DICOMweb plugin are installed here. */
export const orthancAvailable = BINARY !== undefined && PLUGIN !== undefined;

/** A running Orthanc. */
export interface Orthanc {
  /** The DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  dicomweb: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
    server.on('error', reject);
  });
}

/**
 * Starts a private Orthanc and waits until it answers.
 * @returns The running instance.
 */
export async function startOrthanc(): Promise<Orthanc> {
  if (!BINARY || !PLUGIN) {
    throw new Error('Orthanc is not installed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'imaging-manifest-test',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    HttpServerEnabled: true,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomServerEnabled: false,
    Plugins: [PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(BINARY, [join(dir, 'orthanc.json')], { cwd: dir, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/system`)).ok) {
        return {
          dicomweb: `${base}/dicom-web`,
          stop: async (): Promise<void> => {
            child.kill('SIGTERM');
            await new Promise((r) => child.once('exit', r));
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error('Orthanc did not start within 20 s');
}

/**
 * STOW-RS: stores Part-10 files in one multipart/related request.
 * @param dicomweb - The DICOMweb root.
 * @param files - The Part-10 files' bytes.
 * @returns The HTTP status.
 */
export async function stow(dicomweb: string, files: Uint8Array[]): Promise<number> {
  const boundary = `stow-${Date.now().toString(36)}`;
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of files) {
    parts.push(enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), f, enc.encode('\r\n'));
  }
  parts.push(enc.encode(`--${boundary}--\r\n`));
  const response = await fetch(`${dicomweb}/studies`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      accept: 'application/dicom+json',
    },
    body: Buffer.concat(parts),
  });
  return response.status;
}
