import {
  checkVersion,
  latestPerStudent,
  rankRows,
  toStored,
  type BoardEntry,
  type BoardRank,
  type BoardRef,
  type BoardRow,
  type IndexChange,
  type LeaderboardIndex,
  type StoredEntry,
} from './index-port.js';

/**
 * The memory adapter (the embedded default: one process, so RAM is the shared view). Each
 * board keeps its live entries in one array sorted in board order, so rank and around are
 * binary searches and a put is one search plus a splice — a memmove that stays well under a
 * millisecond at 100,000 entries, cheaper than a tree for the sizes a board reaches.
 */

/** A student's latest change: the entry, or null once removed at that version. */
interface Held {
  version: number;
  entry: StoredEntry | null;
}

interface Board {
  held: Map<string, Held>;
  /** live entries, in board order */
  order: StoredEntry[];
}

/** Board order: score descending, earlier submission, then studentId. */
function compare(a: StoredEntry, b: StoredEntry): number {
  if (a.cents !== b.cents) return b.cents - a.cents;
  if (a.submittedAt !== b.submittedAt) return a.submittedAt - b.submittedAt;
  return a.studentId < b.studentId ? -1 : a.studentId > b.studentId ? 1 : 0;
}

/** The first index in [0, length] for which `before(order[i])` is false. */
function partition(order: readonly StoredEntry[], before: (e: StoredEntry) => boolean): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(order[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function positionOf(order: readonly StoredEntry[], entry: StoredEntry): number {
  return partition(order, (e) => compare(e, entry) < 0);
}

function buildBoard(entries: readonly StoredEntry[]): Board {
  return {
    held: new Map(entries.map((e) => [e.studentId, { version: e.version, entry: e }])),
    order: [...entries].sort(compare),
  };
}

export class MemoryLeaderboardIndex implements LeaderboardIndex {
  private readonly groups = new Map<string, Map<string, Board>>();

  private board(ref: BoardRef): Board | undefined {
    return this.groups.get(ref.group)?.get(ref.board);
  }

  private boardForWrite(ref: BoardRef): Board {
    let group = this.groups.get(ref.group);
    if (!group) this.groups.set(ref.group, (group = new Map()));
    let board = group.get(ref.board);
    if (!board) group.set(ref.board, (board = { held: new Map(), order: [] }));
    return board;
  }

  private static unlink(board: Board, entry: StoredEntry): void {
    board.order.splice(positionOf(board.order, entry), 1);
  }

  async put(ref: BoardRef, input: BoardEntry): Promise<IndexChange> {
    const entry = toStored(input);
    const board = this.boardForWrite(ref);
    const held = board.held.get(entry.studentId);
    if (held && held.version > entry.version) return 'stale';
    if (held && held.version === entry.version) return 'unchanged';
    if (held?.entry) MemoryLeaderboardIndex.unlink(board, held.entry);
    board.order.splice(positionOf(board.order, entry), 0, entry);
    board.held.set(entry.studentId, { version: entry.version, entry });
    return 'applied';
  }

  async putBoards(
    group: string,
    boards: readonly string[],
    entry: BoardEntry,
  ): Promise<IndexChange[]> {
    const outcomes: IndexChange[] = [];
    for (const board of boards) outcomes.push(await this.put({ group, board }, entry));
    return outcomes;
  }

  async remove(ref: BoardRef, studentId: string, version?: number): Promise<IndexChange> {
    if (version !== undefined) checkVersion(version);
    const board = this.board(ref);
    const held = board?.held.get(studentId);
    if (version === undefined) {
      if (!board || !held) return 'unchanged';
      if (held.entry) MemoryLeaderboardIndex.unlink(board, held.entry);
      board.held.delete(studentId);
      return held.entry ? 'applied' : 'unchanged';
    }
    if (held && held.version > version) return 'stale';
    if (held && held.version === version) return 'unchanged';
    const target = board ?? this.boardForWrite(ref);
    if (held?.entry) MemoryLeaderboardIndex.unlink(target, held.entry);
    target.held.set(studentId, { version, entry: null });
    return held?.entry ? 'applied' : 'unchanged';
  }

  async get(ref: BoardRef, studentId: string): Promise<BoardEntry | null> {
    const entry = this.board(ref)?.held.get(studentId)?.entry;
    if (!entry) return null;
    const { cents, submittedAt, version } = entry;
    return { studentId, score: cents / 100, submittedAt, version };
  }

  async rank(ref: BoardRef, studentId: string): Promise<BoardRank | null> {
    const board = this.board(ref);
    const entry = board?.held.get(studentId)?.entry;
    if (!board || !entry) return null;
    const higher = partition(board.order, (e) => e.cents > entry.cents);
    const notLower = partition(board.order, (e) => e.cents >= entry.cents);
    const total = board.order.length;
    return {
      rank: higher + 1,
      total,
      below: total - notLower,
      score: entry.cents / 100,
    };
  }

  async top(ref: BoardRef, n: number): Promise<BoardRow[]> {
    const order = this.board(ref)?.order ?? [];
    return rankRows(order.slice(0, Math.max(0, Math.floor(n))), 0, 1);
  }

  async around(ref: BoardRef, studentId: string, k: number): Promise<BoardRow[] | null> {
    const board = this.board(ref);
    const entry = board?.held.get(studentId)?.entry;
    if (!board || !entry) return null;
    const side = Math.max(0, Math.floor(k));
    const position = positionOf(board.order, entry);
    const first = Math.max(0, position - side);
    const rows = board.order.slice(first, position + side + 1);
    const firstCents = rows[0]!.cents;
    const firstRank = partition(board.order, (e) => e.cents > firstCents) + 1;
    return rankRows(rows, first, firstRank);
  }

  async count(ref: BoardRef): Promise<number> {
    return this.board(ref)?.order.length ?? 0;
  }

  async boards(group: string): Promise<string[]> {
    return [...(this.groups.get(group)?.keys() ?? [])];
  }

  async replaceAll(ref: BoardRef, entries: readonly BoardEntry[]): Promise<void> {
    // Built aside and set in one assignment: a reader holds the old board or the new one.
    const board = buildBoard(latestPerStudent(entries));
    let group = this.groups.get(ref.group);
    if (!group) this.groups.set(ref.group, (group = new Map()));
    group.set(ref.board, board);
  }

  async clear(group: string): Promise<void> {
    this.groups.delete(group);
  }

  async close(): Promise<void> {
    // Nothing outlives the process.
  }
}

export function createMemoryLeaderboardIndex(): LeaderboardIndex {
  return new MemoryLeaderboardIndex();
}
