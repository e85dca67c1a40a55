// The client's types from the OpenAPI document a site serves: paths are made relative to the site
// (`/london/v1/accidents` → `/v1/accidents`), so one client serves every site, its base URL naming
// the site (`https://crashdesk.example/london`).
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';

export const GENERATED_FILE = new URL('./openapi.ts', import.meta.url);

const HEADER = `// Generated from the OpenAPI document a site serves (clients/typescript/src/generate.ts); do not edit.
// Regenerate with \`npm run client:generate\`; \`npm test\` fails while this file and the document differ.
`;

export async function generateTypes(document: { paths: Record<string, unknown> }, site: string): Promise<string> {
  const prefix = `/${site}`;
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path, item]),
  );
  const ast = await openapiTS({ ...document, paths } as Parameters<typeof openapiTS>[0]);
  // In the repository's style, so that the file passes the format check like any other.
  const filepath = fileURLToPath(GENERATED_FILE);
  return format(HEADER + astToString(ast), { ...(await resolveConfig(filepath)), filepath });
}
