// `npm run dashboards`: writes the dashboards' JSON from their definitions (dashboards.ts) and
// removes JSON no definition writes; dashboards.test.ts fails when the files differ.
import { readdir, rm, writeFile } from 'node:fs/promises';
import { dashboardFiles } from './dashboards.js';

const directory = new URL('./', import.meta.url);
const files = dashboardFiles();
for (const [name, content] of files) await writeFile(new URL(name, directory), content);
for (const name of await readdir(directory)) if (name.endsWith('.json') && !files.has(name)) await rm(new URL(name, directory));
console.log(`dashboards: ${[...files.keys()].join(', ')}`);
