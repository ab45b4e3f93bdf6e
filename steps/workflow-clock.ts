/**
 * Current workflow time in milliseconds. Inside the workflow sandbox `Date` is replaced by the SDK with the
 * deterministic workflow clock (the time of the current workflow task, identical on replay), so this is safe here
 * and only here; all workflow code asks this function so the one place that touches `Date` is easy to audit.
 */
export function workflowNow(): number {
  return Date.now();
}
