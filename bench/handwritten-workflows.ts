// The bench worker's workflow bundle entry: the package's workflows (the plugin checks they are all there) and the
// hand-written enablement workflow bench/workflow-overhead.ts compares the interpreter with.
export * from '../workflows';
export { handwrittenEnablementWorkflow } from './handwritten-enablement';
