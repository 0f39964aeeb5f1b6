import { topic } from '../platform/bus/index.js';

/**
 * The leaderboards feature's events on the bus. Boards themselves need none: every process
 * hears `session.scored` and feeds the shared index idempotently.
 */

/** A series was created or deleted: other processes drop what they cached about series. */
export interface SeriesChangedEvent {
  seriesId: string;
}
export const SeriesChanged = topic<SeriesChangedEvent>('series.changed');
