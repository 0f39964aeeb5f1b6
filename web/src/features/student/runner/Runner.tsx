import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../../../api/api-error';
import { createAppSocket } from '../../../api/app-socket';
import { authStore } from '../../../api/auth-store';
import { studentApi } from '../../../api/student';
import type {
  Answer,
  ClientMessage,
  ServerMessage,
  SessionResult,
  SignalType,
} from '../../../api/types';
import { useToast } from '../../../components/Toast';
import { Brand } from '../../../components/ui';
import { useI18n } from '../../../i18n/i18n';
import { newId } from '../../../lib/ids';
import { browserNetwork } from '../../../lib/network';
import { AnswerSync } from './answer-sync';
import { isAnswered } from './answers';
import { CRITICAL_MS, Countdown, WARN_MS } from './Countdown';
import { KickedScreen, TimeUpScreen } from './EndScreens';
import { Navigator } from './Navigator';
import { QuestionView } from './QuestionView';
import { readPending } from './pending-store';
import { SaveIndicator } from './SaveIndicator';
import { stashResult, type ReceivedView } from './session-cache';
import { SubmitDialog } from './SubmitDialog';

type Phase = 'running' | 'submitting' | 'timeup' | 'kicked';

const posKey = (sid: string) => `examhall.pos.${sid}`;
const flagsKey = (sid: string) => `examhall.flags.${sid}`;
const submitKeyKey = (sid: string) => `examhall.submit.${sid}`;

function readIndex(sid: string, count: number): number {
  const saved = Number(localStorage.getItem(posKey(sid)));
  return Number.isInteger(saved) && saved >= 0 && saved < count ? saved : 0;
}

function readFlags(sid: string): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(flagsKey(sid)) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

/** The same submit retried carries the same Idempotency-Key, even across a reload. */
function submitKey(sid: string): string {
  let key = localStorage.getItem(submitKeyKey(sid));
  if (!key) {
    key = newId();
    localStorage.setItem(submitKeyKey(sid), key);
  }
  return key;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function Runner({ received }: { received: ReceivedView }) {
  const { view } = received;
  const sid = view.sessionId;
  const questions = view.questions;
  const { t } = useI18n();
  const toast = useToast();
  const navigate = useNavigate();

  // Saved answers from the server, overlaid with what this browser has not sent yet.
  const [answers, setAnswers] = useState<Record<string, Answer>>(() => ({
    ...view.answers,
    ...readPending(sid),
  }));
  const [index, setIndex] = useState(() => readIndex(sid, questions.length));
  const [flags, setFlags] = useState<Set<string>>(() => readFlags(sid));
  const [endsAt, setEndsAt] = useState(() => Date.parse(view.endsAt));
  const [phase, setPhase] = useState<Phase>('running');
  const [submitted, setSubmitted] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  // serverNow − clientNow, so a wrong laptop clock cannot add or steal time
  const offset = useRef(Date.parse(view.serverNow) - received.receivedAt);
  const [now, setNow] = useState(() => Date.now());
  const remainingMs = endsAt - (now + offset.current);

  const events = useRef({
    onEnded: (_reason: 'TIME_UP' | 'SUBMITTED') => {},
    onRejected: (_qid: string, _message: string) => {},
  });
  const sync = useMemo(
    () =>
      new AnswerSync(
        sid,
        {
          onClockOffset: (value) => {
            offset.current = value;
          },
          onDeadline: (nextEndsAt, serverNow) => {
            offset.current = Date.parse(serverNow) - Date.now();
            setEndsAt(Date.parse(nextEndsAt));
            toast.show(t('runner.extended'), 'info', 6_000);
          },
          onKicked: () => setPhase('kicked'),
          onSessionEnded: (reason) => events.current.onEnded(reason),
          onRejected: (qid, message) => events.current.onRejected(qid, message),
        },
        {
          channel: createAppSocket<ClientMessage, ServerMessage>(),
          saveAnswers: (answers, idempotencyKey) =>
            studentApi.saveAnswers(sid, answers, idempotencyKey),
          storage: localStorage,
          network: browserNetwork,
        },
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sid],
  );
  const syncState = useSyncExternalStore(sync.subscribe, sync.getState);

  useEffect(() => {
    sync.start();
    return () => sync.stop();
  }, [sync]);

  // Fetch every question's images now, while online: a student who loses the network at
  // question 3 still sees the picture in question 12 (uploads are cached as immutable).
  const preloaded = useRef<HTMLImageElement[]>([]);
  useEffect(() => {
    const sources = new Set<string>();
    const parser = new DOMParser();
    for (const q of questions) {
      for (const html of [q.text, ...q.options.map((o) => o.text)]) {
        if (!html.includes('<img')) continue;
        parser
          .parseFromString(html, 'text/html')
          .querySelectorAll('img[src]')
          .forEach((img) => sources.add(img.getAttribute('src')!));
      }
    }
    preloaded.current = [...sources].map((src) => {
      const img = new Image();
      img.decoding = 'async';
      img.src = src;
      return img;
    });
  }, [questions]);

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, []);

  useEffect(() => localStorage.setItem(posKey(sid), String(index)), [sid, index]);
  useEffect(() => localStorage.setItem(flagsKey(sid), JSON.stringify([...flags])), [sid, flags]);

  // ── submit ──────────────────────────────────────────────────────────────────────
  const submitting = useRef(false);
  const finish = useCallback(
    async (reason: 'student' | 'timeup') => {
      if (submitting.current) return;
      submitting.current = true;
      setConfirming(false);
      setPhase(reason === 'timeup' ? 'timeup' : 'submitting');
      const flushed = await sync.flush(reason === 'timeup' ? 5_000 : 10_000);
      if (!flushed && reason === 'student') {
        submitting.current = false;
        setPhase('running');
        toast.show(t('runner.submitOffline'), 'danger', 8_000);
        return;
      }
      for (let attempt = 0; ; attempt++) {
        let result: SessionResult | null = null;
        try {
          result = await studentApi.submit(sid, submitKey(sid));
        } catch (err) {
          const code = err instanceof ApiError ? err.code : 'NETWORK';
          if (code === 'SESSION_REPLACED') {
            setPhase('kicked');
            return;
          }
          if (code === 'SESSION_CLOSED' || code === 'TIME_UP') {
            // already submitted (by the sweeper or another tab): its result is the result
            result = await studentApi.result(sid).catch(() => null);
          } else if (reason === 'student' && attempt >= 2) {
            submitting.current = false;
            setPhase('running');
            toast.show(t('runner.submitFailed'), 'danger', 8_000);
            return;
          }
        }
        if (result) {
          sync.discard();
          localStorage.removeItem(posKey(sid));
          localStorage.removeItem(flagsKey(sid));
          localStorage.removeItem(submitKeyKey(sid));
          stashResult(result);
          if (reason === 'timeup') setSubmitted(true);
          else navigate(`/session/${sid}/result`, { replace: true });
          return;
        }
        await sleep(Math.min(2_000 * (attempt + 1), 10_000));
      }
    },
    [sid, sync, navigate, t, toast],
  );

  events.current.onEnded = () => void finish('timeup');
  events.current.onRejected = (qid, message) => {
    const n = questions.findIndex((q) => q.id === qid) + 1;
    toast.show(t('runner.rejected', { n, message }), 'danger', 8_000);
  };

  // ── time warnings and the end ────────────────────────────────────────────────────
  const initialRemaining = useRef(remainingMs);
  const warned = useRef({
    ten: initialRemaining.current <= WARN_MS,
    five: initialRemaining.current <= CRITICAL_MS,
  });
  useEffect(() => {
    if (phase !== 'running') return;
    if (remainingMs <= 0) {
      void finish('timeup');
      return;
    }
    if (!warned.current.five && remainingMs <= CRITICAL_MS) {
      warned.current = { ten: true, five: true };
      toast.show(t('runner.warn5'), 'danger', 10_000);
    } else if (!warned.current.ten && remainingMs <= WARN_MS) {
      warned.current.ten = true;
      toast.show(t('runner.warn10'), 'warning', 10_000);
    }
  }, [remainingMs, phase, finish, t, toast]);

  // ── anti-cheat signals (off the answer path; failures do not matter) ─────────────
  useEffect(() => {
    if (phase !== 'running') return;
    // Offline, a signal would only fail noisily; it is a hint for the proctor, not an answer.
    const send = (type: SignalType) => () => {
      if (navigator.onLine) void studentApi.signal(sid, type).catch(() => undefined);
    };
    const onBlur = send('blur');
    const onFocus = send('focus');
    const onCopy = send('copy');
    const onPaste = send('paste');
    window.addEventListener('blur', onBlur);
    window.addEventListener('focus', onFocus);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [sid, phase]);

  // ── answering ────────────────────────────────────────────────────────────────────
  const answer = useCallback(
    (questionId: string, value: Answer) => {
      setAnswers((all) => ({ ...all, [questionId]: value }));
      sync.set(questionId, value);
    },
    [sync],
  );

  const go = useCallback(
    (next: number) => {
      setIndex(Math.max(0, Math.min(questions.length - 1, next)));
      setNavOpen(false);
      document.getElementById('runner-main')?.scrollTo({ top: 0 });
      window.scrollTo({ top: 0 });
    },
    [questions.length],
  );

  const toggleFlag = (questionId: string) =>
    setFlags((all) => {
      const next = new Set(all);
      if (next.has(questionId)) next.delete(questionId);
      else next.add(questionId);
      return next;
    });

  if (phase === 'kicked') {
    return (
      <KickedScreen
        onSignInAgain={() => {
          // 'logout', not 'replaced': this screen already said why, do not route to it again
          authStore.clear('logout');
          navigate('/login', { replace: true });
        }}
      />
    );
  }
  if (phase === 'timeup') return <TimeUpScreen submitted={submitted} sessionId={sid} />;

  const question = questions[index];
  const answeredCount = questions.filter((q) => isAnswered(answers[q.id])).length;
  const isLast = index === questions.length - 1;
  const disabled = phase !== 'running';

  return (
    <div className="runner">
      <header className="runner__bar">
        <div className="runner__title">
          <Brand small to="/exams" />
          <h1 className="runner__exam" title={view.title}>
            {view.title}
          </h1>
        </div>
        <div className="runner__status">
          <SaveIndicator state={syncState} />
          <Countdown remainingMs={remainingMs} />
          <button
            type="button"
            className="btn btn--primary runner__submit"
            onClick={() => setConfirming(true)}
            disabled={disabled}
          >
            {t('runner.submit')}
          </button>
        </div>
      </header>

      {remainingMs <= CRITICAL_MS ? (
        <div className="runner__banner runner__banner--critical" role="alert">
          {t('runner.banner5')}
        </div>
      ) : remainingMs <= WARN_MS ? (
        <div className="runner__banner runner__banner--warn" role="status">
          {t('runner.banner10')}
        </div>
      ) : null}

      <div className="runner__body">
        <main className="runner__main" id="runner-main">
          {question && (
            <QuestionView
              key={question.id}
              question={question}
              index={index}
              total={questions.length}
              answer={answers[question.id]}
              flagged={flags.has(question.id)}
              disabled={disabled}
              onAnswer={(value) => answer(question.id, value)}
              onToggleFlag={() => toggleFlag(question.id)}
            />
          )}
          <div className="pager">
            <button
              type="button"
              className="btn btn--secondary"
              onClick={() => go(index - 1)}
              disabled={index === 0}
            >
              <span aria-hidden="true">←</span> {t('runner.previous')}
            </button>
            <button
              type="button"
              className="btn btn--ghost pager__toggle"
              aria-expanded={navOpen}
              aria-controls="runner-aside"
              aria-label={t('runner.allQuestions', { n: answeredCount, total: questions.length })}
              onClick={() => setNavOpen((open) => !open)}
            >
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path
                  d="M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="2"
                  strokeLinejoin="round"
                />
              </svg>
              <span className="pager__toggle-label">{t('runner.questions')}</span> {answeredCount}/
              {questions.length}
            </button>
            {isLast ? (
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => setConfirming(true)}
                disabled={disabled}
              >
                {t('runner.review')}
              </button>
            ) : (
              <button type="button" className="btn btn--primary" onClick={() => go(index + 1)}>
                {t('runner.next')} <span aria-hidden="true">→</span>
              </button>
            )}
          </div>
        </main>
        <aside id="runner-aside" className={`runner__aside${navOpen ? ' is-open' : ''}`}>
          <Navigator
            questions={questions}
            answers={answers}
            flags={flags}
            current={index}
            onGo={go}
          />
          <div className="runner__aside-foot">
            <p className="muted small">{t('runner.autosaveHint')}</p>
          </div>
        </aside>
      </div>

      <SubmitDialog
        open={confirming}
        busy={phase === 'submitting'}
        questions={questions}
        answers={answers}
        flags={flags}
        pendingCount={syncState.pendingCount}
        onGo={(i) => {
          setConfirming(false);
          go(i);
        }}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void finish('student')}
      />
      {phase === 'submitting' && (
        <div className="overlay" role="status" aria-live="assertive">
          <span className="spinner" aria-hidden="true" />
          <span>{t('runner.submitting')}</span>
        </div>
      )}
    </div>
  );
}
