import {
  SaveMessage,
  SignalMessage,
  SubmitMessage,
  type SessionServerMessage,
} from '../../../contracts/ws/sessions.js';
import type { StudentPrincipal } from '../auth/index.js';
import type { Peer, SocketGateway } from '../ws/index.js';
import type { SessionsService } from './sessions.service.js';
import type { SessionNotice } from './store/types.js';

type StudentPeer = Peer<StudentPrincipal>;
const isStudent = (peer: Peer): peer is StudentPeer => peer.principal.kind === 'student';

/**
 * The exam runner's socket messages (API.md: bare `save`, `submit`, `signal`), registered
 * on the gateway, and its pushes: `time` after an extension and `closed` when a session
 * ends, to every socket of that student on this process.
 */
export function registerSessionSocket(
  gateway: SocketGateway,
  sessions: Pick<SessionsService, 'save' | 'submit' | 'signal'>,
  now: () => number = Date.now,
) {
  const byStudent = new Map<string, Set<StudentPeer>>();

  gateway.handle<StudentPrincipal, SaveMessage>({
    type: 'save',
    schema: SaveMessage,
    from: ['student'],
    async run(m, peer) {
      const input = {
        questionId: m.questionId,
        answer: m.answer,
        ...(m.clientTs ? { clientTs: m.clientTs } : {}),
      };
      const ack = await sessions.save(peer.principal, m.sessionId, [input], {
        idempotencyKey: m.idempotencyKey,
        transport: 'ws',
        batch: false,
      });
      return {
        type: 'saved',
        questionId: m.questionId,
        savedAt: ack.savedAt,
      } satisfies SessionServerMessage;
    },
  });
  gateway.handle<StudentPrincipal, SubmitMessage>({
    type: 'submit',
    schema: SubmitMessage,
    from: ['student'],
    async run(m, peer) {
      return {
        type: 'result',
        ...(await sessions.submit(peer.principal, m.sessionId)),
      } satisfies SessionServerMessage;
    },
  });
  gateway.handle<StudentPrincipal, SignalMessage>({
    type: 'signal',
    schema: SignalMessage,
    from: ['student'],
    async run(m, peer) {
      await sessions.signal(peer.principal, m.sessionId, m.signal, m.at);
    },
  });

  gateway.onConnect((peer) => {
    if (!isStudent(peer)) return;
    let mine = byStudent.get(peer.principal.id);
    if (!mine) byStudent.set(peer.principal.id, (mine = new Set()));
    mine.add(peer);
  });
  gateway.onDisconnect((peer) => {
    if (!isStudent(peer)) return;
    const mine = byStudent.get(peer.principal.id);
    mine?.delete(peer);
    if (mine?.size === 0) byStudent.delete(peer.principal.id);
  });

  return {
    /** A session notice from any process: deliver to that student's sockets here. */
    notify(notice: SessionNotice): void {
      const mine = byStudent.get(notice.studentId);
      if (!mine) return;
      const message: SessionServerMessage =
        notice.type === 'time'
          ? {
              type: 'time',
              sessionId: notice.sessionId,
              endsAt: new Date(notice.endsAt).toISOString(),
              serverNow: new Date(now()).toISOString(),
            }
          : { type: 'closed', sessionId: notice.sessionId, reason: notice.reason };
      for (const peer of mine) peer.send(message);
    },
  };
}
