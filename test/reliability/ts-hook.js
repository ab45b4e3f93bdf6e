/*
 * A minimal require hook for child processes of the reliability suite (the worker the suite SIGKILLs, the CLI it
 * sends SIGINT to): transpiles the project's TypeScript on the fly with the project's own `typescript`, so a child
 * runs exactly the source in the working tree (no stale dist/, no full type-check of a tree under restructure).
 * Transpile-only is sound here because tsconfig has isolatedModules on.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
  resolveJsonModule: true,
  sourceMap: false,
  inlineSourceMap: true,
  isolatedModules: true,
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

module.exports = { projectRoot: path.resolve(__dirname, '..', '..') };
