import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dicomJsonOf } from '../../test/helpers/dicom-json.ts';
import { fetchStudyMetadata } from './dicomweb.ts';

/** A PACS on loopback that answers 429 (with Retry-After), then 503, then the metadata. */
let server: Server;
let base = '';
let requests = 0;
const authorizations: (string | undefined)[] = [];

beforeAll(async () => {
  const metadata = JSON.stringify(dicomJsonOf('dicom/study-cr'));
  server = createServer((req, res) => {
    requests++;
    authorizations.push(req.headers.authorization);
    if (req.url?.includes('/studies/9.9.9/')) {
      res.writeHead(404).end();
    } else if (requests === 1) {
      res.writeHead(429, { 'retry-after': '0' }).end();
    } else if (requests === 2) {
      res.writeHead(503).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/dicom+json' }).end(metadata);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dicom-web`;
});

afterAll(() => {
  server.close();
});

describe('fetchStudyMetadata', () => {
  test('retries 429 (honouring Retry-After) and 5xx, then returns the metadata, with the configured credentials', async () => {
    const metadata = await fetchStudyMetadata({ base, authorization: 'Basic dTpw' }, '1.2.3', Date.now() + 10_000);
    expect(metadata).toHaveLength(3);
    expect(requests).toBe(3);
    expect(authorizations).toEqual(['Basic dTpw', 'Basic dTpw', 'Basic dTpw']);
  });

  test('a study the PACS does not know is a 404 error, not retried', async () => {
    const before = requests;
    await expect(fetchStudyMetadata({ base }, '9.9.9', Date.now() + 10_000)).rejects.toMatchObject({ status: 404 });
    expect(requests - before).toBe(1);
  });
});
