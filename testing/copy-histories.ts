import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { packageRoot } from '../package-root';

/**
 * `npm run build` step: ships the committed replay histories with `adoption-enablement/testing`, as JSON (to read)
 * and as binary protobuf (what `replayAll` loads). Binary needs no JSON conversion at the platform, which fails
 * when its install holds more than one copy of protobufjs (npm may hoist @grpc/proto-loader's protobufjs 7 and
 * nest a copy of 8 under each @temporalio package; `historyFromJSON` then throws "type must be a Type").
 */
const source = path.join(packageRoot(__dirname), 'test', 'replay', 'histories');
const target = path.join(__dirname, 'histories');
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });
const files = fs.readdirSync(source).filter((name) => name.endsWith('.json'));
for (const name of files) {
  const json = fs.readFileSync(path.join(source, name), 'utf8');
  fs.writeFileSync(path.join(target, name), json);
  const history = historyFromJSON(JSON.parse(json));
  fs.writeFileSync(path.join(target, name.replace(/\.json$/, '.binpb')), temporal.api.history.v1.History.encode(history).finish());
}
process.stdout.write(`replay histories: ${files.length} written to ${target} (JSON and binary)\n`);
