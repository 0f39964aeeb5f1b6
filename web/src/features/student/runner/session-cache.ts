import type { SessionResult, SessionView } from '../../../api/types';

/**
 * Hands the session view from "start" to the runner without a second request. The view is
 * stamped with the client time it arrived, which the countdown needs to correct the clock.
 */
export interface ReceivedView {
  view: SessionView;
  receivedAt: number;
}

let stashed: ReceivedView | null = null;
let stashedResult: SessionResult | null = null;

export function stashSessionView(view: SessionView): void {
  stashed = { view, receivedAt: Date.now() };
}

export function takeSessionView(sessionId: string): ReceivedView | null {
  const found = stashed?.view.sessionId === sessionId ? stashed : null;
  stashed = null;
  return found;
}

export function stashResult(result: SessionResult): void {
  stashedResult = result;
}

export function takeResult(sessionId: string): SessionResult | null {
  const found = stashedResult?.sessionId === sessionId ? stashedResult : null;
  stashedResult = null;
  return found;
}
