import { Validator } from '@seriousme/openapi-schema-validator';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { client } from './support/http.js';

let app: TestApp;
let doc: any;

beforeAll(async () => {
  app = await startApp({ DOCS_ENABLED: 'true' });
  doc = (await client(app.url).get('/docs-json')).body;
  writeFileSync('/tmp/oa/doc.json', JSON.stringify(doc, null, 2));
});
afterAll(() => app?.close());

describe('/docs-json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
