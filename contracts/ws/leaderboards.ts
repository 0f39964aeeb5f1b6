import Type, { type Static } from 'typebox';
import { Id, Strict } from '../common.js';
import { Cohort, type Leaderboard } from '../leaderboards.js';
import { MessageId } from './gateway.js';

/**
 * The leaderboards feature's socket messages (API.md, "Exam leaderboards and ranks"): a
 * watch gets an immediate `leaderboard.update` echoing its id (the same shape as the GET),
 * then one on change, at most one a second, until `leaderboard.unwatch`.
 */

export const WatchMessage = Strict({
  type: Type.Literal('leaderboard.watch'),
  id: Type.Optional(MessageId),
  examId: Id,
  cohort: Type.Optional(Cohort),
});
export type WatchMessage = Static<typeof WatchMessage>;

export const UnwatchMessage = Strict({
  type: Type.Literal('leaderboard.unwatch'),
  id: Type.Optional(MessageId),
  examId: Id,
  cohort: Type.Optional(Cohort),
});
export type UnwatchMessage = Static<typeof UnwatchMessage>;

export type LeaderboardClientMessage = WatchMessage | UnwatchMessage;

export type LeaderboardUpdateMessage = { id?: MessageId; type: 'leaderboard.update' } & Leaderboard;
export type LeaderboardUnwatchedMessage = {
  id?: MessageId;
  type: 'leaderboard.unwatched';
  examId: string;
  cohort: Cohort;
};

export type LeaderboardServerMessage = LeaderboardUpdateMessage | LeaderboardUnwatchedMessage;
