import type { ResultRank } from '../../../contracts/leaderboards.js';
import type { SessionScoredEvent } from './sessions.events.js';

/**
 * Where a result's live rank comes from (the leaderboards feature, wired in context.ts):
 * the sessions feature asks, never imports it. Null when the exam's board is off.
 */
export interface ResultRanks {
  rankOf(result: SessionScoredEvent): Promise<ResultRank | null>;
}
