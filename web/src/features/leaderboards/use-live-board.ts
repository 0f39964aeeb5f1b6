import { useEffect, useRef, useState } from 'react';
import { createAppSocket } from '../../api/app-socket';
import type { ClientMessage, Leaderboard, ServerMessage } from '../../api/types';
import { parseCohort, type BoardWatch } from './board';
import { LiveBoard, type LiveBoardState } from './live-board';

export interface LiveBoardHook extends LiveBoardState {
  reload: () => void;
}

/**
 * A board kept live while the page is open: one socket for the page (opened only when there is
 * something to watch), one LiveBoard per board shown (a new cohort is a new board).
 * `key` names the board: when it changes, the old watch is dropped and the new board loaded.
 */
export function useLiveBoard(options: {
  key: string;
  load: () => Promise<Leaderboard>;
  watch: BoardWatch | null;
  reloadOnFrame?: boolean;
}): LiveBoardHook {
  const { key, watch, reloadOnFrame = false } = options;
  const [state, setState] = useState<LiveBoardState>({
    board: null,
    error: null,
    loading: true,
    live: false,
  });
  const [channel] = useState(() => createAppSocket<ClientMessage, ServerMessage>());
  const wantsSocket = watch !== null;
  const load = useRef(options.load);
  load.current = options.load;
  const current = useRef<LiveBoard | null>(null);
  const watchKey = watch ? `${watch.examId}|${watch.cohort ?? 'exam'}` : '';

  useEffect(() => {
    if (!wantsSocket) return;
    channel.start();
    return () => channel.stop();
  }, [channel, wantsSocket]);

  useEffect(() => {
    const board = new LiveBoard({
      load: () => load.current(),
      channel: wantsSocket ? channel : null,
      watch: watchKey ? parseWatch(watchKey) : null,
      reloadOnFrame,
      onState: setState,
    });
    current.current = board;
    board.start();
    return () => {
      board.stop();
      if (current.current === board) current.current = null;
    };
  }, [channel, wantsSocket, watchKey, reloadOnFrame, key]);

  return { ...state, reload: () => void current.current?.reload() };
}

function parseWatch(watchKey: string): BoardWatch {
  const [examId = '', cohort] = watchKey.split('|');
  // the whole exam is the server's default: sent without a cohort (staff have none)
  return cohort && cohort !== 'exam' ? { examId, cohort: parseCohort(cohort) } : { examId };
}
