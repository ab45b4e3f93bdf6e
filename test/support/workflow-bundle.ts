import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../../worker/workflow-bundle';

/**
 * Bundling the workflows takes seconds; the tests share one bundle per content of the deterministic code,
 * cached in the git-ignored `.tools/cache`, so a change to any workflow file rebuilds it.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SOURCES = ['workflows', 'definitions', 'activities/contracts.ts'];

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (fs.statSync(full).isFile()) return [full];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((item) => item.isFile() && item.name.endsWith('.ts'))
    .map((item) => path.join(item.parentPath ?? (item as unknown as { path: string }).path, item.name))
    .sort();
}

export async function testWorkflowBundle(): Promise<{ codePath: string }> {
  const hash = crypto.createHash('sha256');
  for (const file of SOURCES.flatMap(sourceFiles)) hash.update(file).update(fs.readFileSync(file));
  const dir = path.join(ROOT, '.tools', 'cache');
  const codePath = path.join(dir, `workflow-bundle-${hash.digest('hex').slice(0, 16)}.js`);
  if (!fs.existsSync(codePath)) {
    fs.mkdirSync(dir, { recursive: true });
    const { code } = await buildWorkflowBundle();
    const temporary = `${codePath}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, codePath);
  }
  return { codePath };
}
