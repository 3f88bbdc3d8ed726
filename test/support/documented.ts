import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Reply } from './http.js';

/** `/docs-json` as a suite reads it, with the validator its schemas are compiled into. */
export interface Documented {
  doc: any;
  ajv: Ajv2020;
}

export function documented(doc: any): Documented {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(doc, 'openapi');
  return { doc, ajv };
}

const escape = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** The validator of a schema inside the document, by its path of keys. */
export const schemaAt = ({ ajv }: Documented, ...keys: string[]) =>
  ajv.getSchema(`openapi#/${keys.map(escape).join('/')}`);

/** The path template of the document's operation that serves this concrete path. */
export function templateOf({ doc }: Documented, method: string, path: string): string | undefined {
  return Object.keys(doc.paths).find(
    (t) => doc.paths[t][method] && new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );
}

/**
 * What is wrong with an error answer against the document: its status not documented for the route,
 * its body none of the bodies documented there, or a required `Retry-After` missing. Undefined when it
 * is documented, or when no documented route serves the path (an unknown path is no route's answer).
 */
export function errorAnswerMismatch(documented: Documented, method: string, url: string, reply: Reply) {
  const path = url.split('?')[0]!;
  const lower = method.toLowerCase();
  const template = templateOf(documented, lower, path);
  if (!template) return undefined;
  const where = `${method} ${template} → ${reply.status}`;
  const response = documented.doc.paths[template][lower].responses[String(reply.status)];
  if (!response) return `${where}: status not documented (${reply.text.slice(0, 200)})`;
  if (response.headers?.['Retry-After']?.required && !/^\d+$/.test(reply.headers.get('retry-after') ?? ''))
    return `${where}: no Retry-After`;
  const validate = schemaAt(
    documented,
    'paths',
    template,
    lower,
    'responses',
    String(reply.status),
    'content',
    'application/json',
    'schema',
  );
  if (validate && !validate(reply.body)) return `${where}: not a documented body: ${reply.text.slice(0, 300)}`;
  return undefined;
}

/**
 * Opt-in, `CHECK_ERROR_ANSWERS=1`: every error answer any suite gets through the test client must be
 * documented for its route and status (the codes its handler declares with `@Raises`, its guards' and
 * readers', and the app's rules). A suite whose service serves no document (DOCS_ENABLED=false) is
 * not checked.
 */
export const checkingErrorAnswers = process.env.CHECK_ERROR_ANSWERS === '1';

const documents = new Map<string, Promise<Documented | null>>();

/** Throws when the error answer is not documented by the service that gave it. */
export async function assertErrorAnswerDocumented(base: string, method: string, url: string, reply: Reply) {
  let found = documents.get(base);
  if (!found) {
    found = fetch(`${base}/docs-json`).then(async (r) => (r.status === 200 ? documented(await r.json()) : null));
    documents.set(base, found);
  }
  const document = await found;
  const mismatch = document && errorAnswerMismatch(document, method, url, reply);
  if (mismatch) throw new Error(`undocumented error answer: ${mismatch}`);
}
