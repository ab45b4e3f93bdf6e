import fs from 'node:fs/promises';
import type { WorkflowBundleOption } from '@temporalio/worker';

/** The one line a platform with its own workflows adds to its workflows file (README "Use it in your worker"). */
export const REEXPORT_LINE = "export * from 'adoption-enablement/workflows';";

export class MissingWorkflowsError extends Error {
  override readonly name = 'MissingWorkflowsError';
}

function missingMessage(where: string, missing: readonly string[]): string {
  return (
    `AdoptionEnablementPlugin: ${where} does not export ${missing.join(', ')}. A worker with its own workflows must ` +
    `re-export ours: add\n  ${REEXPORT_LINE}\nto that file (or leave workflowsPath/workflowBundle unset to run our bundle).`
  );
}

/**
 * A prebuilt bundle handed to the worker: it must contain our workflow functions. The bundle text is all there is
 * to check without running it; bundles built with the plugin in `bundleWorkflowCode({ plugins })` were checked
 * precisely at build time.
 */
export async function checkBundleCode(bundle: WorkflowBundleOption, names: readonly string[]): Promise<void> {
  const code = 'code' in bundle ? bundle.code : await fs.readFile(bundle.codePath, 'utf8');
  const missing = names.filter((name) => !code.includes(name));
  if (missing.length > 0) {
    throw new MissingWorkflowsError(missingMessage('the workflowBundle' + ('codePath' in bundle ? ` ${bundle.codePath}` : ''), missing));
  }
}

/** The little of webpack's API the check uses (webpack comes with @temporalio/worker; no types of ours depend on it). */
interface WebpackModule {
  resource?: string;
  dependencies: Array<{ request?: string }>;
}
interface WebpackCompilation {
  entries: Map<string, { dependencies: Array<{ request?: string }> }>;
  moduleGraph: {
    getModule(dependency: unknown): WebpackModule | null;
    getExportsInfo(module: WebpackModule): { getProvidedExports(): null | true | string[] };
  };
  hooks: { finishModules: { tap(options: { name: string; stage: number }, fn: (modules: Iterable<WebpackModule>) => void): void } };
}
interface WebpackCompiler {
  hooks: { compilation: { tap(name: string, fn: (compilation: WebpackCompilation) => void): void } };
}

/**
 * A webpack plugin for the worker's own bundling of the platform's `workflowsPath`: fails the bundle, with the
 * line to add, when that module's exports (as webpack computed them) lack our workflow types. Where webpack cannot
 * tell (a CommonJS file assigning `module.exports` dynamically) nothing is claimed and the bundle is left alone.
 */
export function workflowsExportCheck(workflowsPath: string, names: readonly string[]) {
  const name = 'AdoptionEnablementWorkflowsCheck';
  return {
    apply(compiler: WebpackCompiler): void {
      compiler.hooks.compilation.tap(name, (compilation) => {
        // After webpack's own export analysis (FlagDependencyExportsPlugin runs at the default stage).
        compilation.hooks.finishModules.tap({ name, stage: 1000 }, () => {
          const workflowsModule = findWorkflowsModule(compilation, workflowsPath);
          if (!workflowsModule) return;
          const provided = compilation.moduleGraph.getExportsInfo(workflowsModule).getProvidedExports();
          if (!Array.isArray(provided)) return;
          const missing = names.filter((type) => !provided.includes(type));
          // Thrown, not pushed to compilation.errors: webpack then fails the build with this error itself, so the
          // worker start (or bundleWorkflowCode) rejects with this message, not a generic "finished with errors".
          if (missing.length > 0) throw new MissingWorkflowsError(missingMessage(workflowsModule.resource ?? workflowsPath, missing));
        });
      });
    },
  };
}

/** The module the bundler's generated entry point requires as the workflows: `require(<workflowsPath>)`. */
function findWorkflowsModule(compilation: WebpackCompilation, workflowsPath: string): WebpackModule | undefined {
  for (const entry of compilation.entries.values()) {
    for (const dependency of entry.dependencies) {
      const entryModule = compilation.moduleGraph.getModule(dependency);
      for (const inner of entryModule?.dependencies ?? []) {
        if (inner.request === workflowsPath) return compilation.moduleGraph.getModule(inner) ?? undefined;
      }
    }
  }
  return undefined;
}
