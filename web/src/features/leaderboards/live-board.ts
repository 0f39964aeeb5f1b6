import { ApiError } from '../../api/api-error';
import type { ClientMessage, Leaderboard, ServerMessage } from '../../api/types';
import type { SocketChannel } from '../../lib/socket-channel';
import { boardOf, frameMatches, newerBoard, type BoardWatch } from './board';

/**
 * Keeps one board on screen up to date. The GET paints it first (and says 403 / 404 clearly);
 * then, when there is a socket, `leaderboard.watch` brings a fresh copy and a frame on every
 * change. While the socket is down or refuses the watch, the GET is repeated every `pollMs`,
 * so a school whose proxy breaks WebSockets still sees new results, only later. A refusal
 * (403, 404) is not repeated: asking again every few seconds would not change the answer
 * sooner than the student pressing Refresh, and fills the console with failed requests.
 */

export type BoardChannel = Pick<
  SocketChannel<ClientMessage, ServerMessage>,
  'isOpen' | 'send' | 'request' | 'onPush' | 'onOpen' | 'onClose'
>;

export interface LiveBoardState {
  board: Leaderboard | null;
  /** the last GET's failure; cleared by the next copy of the board from anywhere */
  error: unknown;
  /** a GET is on its way and nothing is shown yet */
  loading: boolean;
  /** the socket is open and the server accepted the watch */
  live: boolean;
}

export interface LiveBoardOptions {
  load: () => Promise<Leaderboard>;
  /** null: no socket (series boards, or nothing to watch) */
  channel: BoardChannel | null;
  watch: BoardWatch | null;
  /**
   * Staff boards narrowed to a class, grade or major: the socket only carries the whole
   * exam's board, so a frame means "it changed" and the narrowed board is fetched again.
   */
  reloadOnFrame?: boolean;
  pollMs?: number;
  watchTimeoutMs?: number;
  onState: (state: LiveBoardState) => void;
}

export const POLL_MS = 10_000;
const WATCH_TIMEOUT_MS = 5_000;

export class LiveBoard {
  private state: LiveBoardState = { board: null, error: null, loading: true, live: false };
  private stopped = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private loading = false;
  private loadAgain = false;
  /** the last GET was refused: polling waits for a Refresh or the socket */
  private refused = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly pollMs: number;

  constructor(private readonly options: LiveBoardOptions) {
    this.pollMs = options.pollMs ?? POLL_MS;
  }

  start(): void {
    const { channel, watch } = this.options;
    this.emit({});
    void this.reload();
    if (!channel || !watch) return;
    this.unsubscribe.push(
      channel.onOpen(() => void this.sendWatch()),
      channel.onClose(() => {
        this.emit({ live: false });
        this.schedulePoll();
      }),
      channel.onPush('leaderboard.update', (frame) => {
        if (frameMatches(frame, watch)) this.received(boardOf(frame));
      }),
    );
    if (channel.isOpen) void this.sendWatch();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    const { channel, watch } = this.options;
    if (channel?.isOpen && watch) channel.send({ type: 'leaderboard.unwatch', ...watch });
  }

  /** Fetches the board again (the Refresh button, a rebuild, a narrowed staff board's frame). */
  async reload(): Promise<void> {
    if (this.stopped) return;
    if (this.loading) {
      this.loadAgain = true;
      return;
    }
    this.loading = true;
    try {
      const board = await this.options.load();
      this.refused = false;
      if (!this.stopped) this.emit({ board: newerBoard(this.state.board, board), error: null });
    } catch (err) {
      this.refused = err instanceof ApiError && err.status >= 400 && err.status < 500;
      if (!this.stopped) this.emit({ error: err });
    } finally {
      this.loading = false;
      if (!this.stopped) this.emit({ loading: false });
    }
    if (this.loadAgain) {
      this.loadAgain = false;
      await this.reload();
      return;
    }
    this.schedulePoll();
  }

  private async sendWatch(): Promise<void> {
    const { channel, watch } = this.options;
    if (!channel || !watch || this.stopped) return;
    let reply: ServerMessage;
    try {
      reply = await channel.request(
        { type: 'leaderboard.watch', ...watch },
        this.options.watchTimeoutMs ?? WATCH_TIMEOUT_MS,
      );
    } catch {
      // no answer: the socket is down or slow; the GET goes on being repeated meanwhile
      this.schedulePoll();
      return;
    }
    if (this.stopped) return;
    if (reply.type !== 'leaderboard.update') {
      // refused (an error reply): the GET has already said why, or goes on working
      this.emit({ live: false });
      this.schedulePoll();
      return;
    }
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.emit({ live: true });
    this.received(boardOf(reply));
  }

  private received(board: Leaderboard): void {
    if (this.stopped) return;
    if (this.options.reloadOnFrame) {
      void this.reload();
      return;
    }
    this.emit({ board: newerBoard(this.state.board, board), error: null, loading: false });
  }

  private schedulePoll(): void {
    if (this.stopped || this.state.live || this.refused) return;
    if (this.pollTimer !== undefined || this.loading) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.reload();
    }, this.pollMs);
  }

  private emit(patch: Partial<LiveBoardState>): void {
    this.state = { ...this.state, ...patch };
    this.options.onState(this.state);
  }
}
