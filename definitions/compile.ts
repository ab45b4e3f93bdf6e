/** The definition compiler's entry: YAML text or files -> validated plans, or diagnostics at FILE:LINE:COLUMN. */
export { compileDefinition, type CompileOptions } from './compile-definition';
export type { CompileResult } from './compilation';
export { loadDefinitionFile, loadShippedDefinitions, loadShippedPlans, shippedDefinitionsDir, type LoadedDefinition } from './load';
