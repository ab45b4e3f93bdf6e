import fs from 'node:fs';
import path from 'node:path';

/**
 * The package root: the nearest folder above `from` with a package.json. Shipped files that tsc does not copy
 * (definitions YAML, SQL migrations, templates, demo data) are found from here, from the sources and from dist/.
 */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
