import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../contracts/ws.js';
import { createPublishedExam } from '../sessions/test-factories.js';
import type { PeerSocket } from '../ws/index.js';
import { LANES, QUESTIONS, useBoardsApp } from './test-boards.js';

/** `leaderboard.watch` over the app's own gateway, with an in-memory socket, on both lanes. */
describe.each(LANES)('on the %s lane', (lane) => {
  const h = useBoardsApp(lane);

  describe('leaderboard.watch on the socket', () => {
    class FakeSocket implements PeerSocket {
      sent: ServerMessage[] = [];
      send(text: string) {
        this.sent.push(JSON.parse(text) as ServerMessage);
      }
      close() {}
      ping() {}
      terminate() {}
    }

    it('answers at once with the board, then pushes changes (at most one a tick), until unwatched', async () => {
      const exam = await createPublishedExam(h.t.sql, {
        questions: QUESTIONS,
        targets: [{ type: 'CLASS', value: h.classB.id }],
        leaderboard: { enabled: true, visibility: 'students' },
      });
      const [g, hadi, i] = [
        await h.pupil(h.classB.id, 'Gita'),
        await h.pupil(h.classB.id, 'Hadi'),
        await h.pupil(h.classB.id, 'Indah'),
      ];
      await h.take(g, exam, 0b0011);
      const socket = new FakeSocket();
      const principal = await h.t.ctx.auth.authenticate(g.headers.authorization.slice(7));
      const peer = h.t.ctx.gateway.connect(socket, principal);
      await peer.receive(JSON.stringify({ type: 'leaderboard.watch', id: 'w1', examId: exam.id }));
      expect(socket.sent[0]).toMatchObject({
        type: 'leaderboard.update',
        id: 'w1',
        total: 1,
        me: { rank: 1 },
      });

      await h.take(hadi, exam, 0b1111);
      await h.take(i, exam, 0b0111);
      await h.t.ctx.leaderboards.socket.flush();
      const updates = socket.sent.filter((m) => m.type === 'leaderboard.update');
      expect(updates).toHaveLength(2);
      expect(updates[1]).toMatchObject({ total: 3, me: { rank: 3 } });
      expect(updates[1]).not.toHaveProperty('id');

      await peer.receive(
        JSON.stringify({ type: 'leaderboard.unwatch', id: 'u1', examId: exam.id }),
      );
      expect(socket.sent.at(-1)).toMatchObject({ type: 'leaderboard.unwatched', id: 'u1' });
      await h.take(await h.pupil(h.classB.id, 'Joko'), exam, 0b1111);
      await h.t.ctx.leaderboards.socket.flush();
      expect(socket.sent.filter((m) => m.type === 'leaderboard.update')).toHaveLength(2);

      // Someone who may not see the board gets an error, and no watch.
      const outsider = await h.pupil(h.classA.id, 'Outsider');
      const other = new FakeSocket();
      const outsiderPeer = h.t.ctx.gateway.connect(
        other,
        await h.t.ctx.auth.authenticate(outsider.headers.authorization.slice(7)),
      );
      await outsiderPeer.receive(
        JSON.stringify({ type: 'leaderboard.watch', id: 9, examId: exam.id }),
      );
      expect(other.sent).toEqual([
        expect.objectContaining({ type: 'error', id: 9, code: 'NOT_FOUND' }),
      ]);
      h.t.ctx.gateway.disconnect(peer);
      h.t.ctx.gateway.disconnect(outsiderPeer);
      expect(h.t.ctx.leaderboards.socket.watching()).toBe(0);
    });
  });
});
