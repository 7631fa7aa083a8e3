/**
 * One-line explanations stored on every build ("why did this happen"), shown in the API, TUI
 * and card, and recorded in workflow history.
 */
import type { BuildReason, Transition } from './status';

/** Explanation of a build someone asked for, e.g. "start requested by user:default/ana". */
export function explainRequestedBuild(transition: Transition, reason: BuildReason, initiator: string, partOfRestart: boolean): string {
  const what = partOfRestart ? `${transition} (part of a restart)` : transition;
  if (reason === 'initiator' || reason === 'cli' || reason === 'dashboard') return `${what} requested by ${initiator}`;
  return `${what} (${reason}) requested by ${initiator}`;
}
