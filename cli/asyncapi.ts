import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASYNCAPI_DOCUMENT, ASYNCAPI_TEMPLATE, asyncApiDocument } from '../apps/gateway/openapi/asyncapi';

/** `npm run docs:asyncapi`: writes docs/asyncapi.yaml from its template and the contracts (run from the repository's root). */
const root = process.cwd();
writeFileSync(join(root, ASYNCAPI_DOCUMENT), asyncApiDocument(readFileSync(join(root, ASYNCAPI_TEMPLATE), 'utf8')));
process.stdout.write(`wrote ${ASYNCAPI_DOCUMENT}\n`);
