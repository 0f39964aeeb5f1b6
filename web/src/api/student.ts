import { authStore } from './auth-store';
import { request } from './http';
import type {
  Answer,
  MyExam,
  SaveAnswersResponse,
  SessionResult,
  SessionView,
  SignalType,
  TokenPair,
} from './types';

export async function loginStudent(nisn: string, password: string): Promise<TokenPair> {
  const pair = await request<TokenPair>('/api/v1/auth/login', {
    method: 'POST',
    body: { nisn, password },
    anonymous: true,
  });
  authStore.setPair(pair);
  return pair;
}

export async function loginStaff(email: string, password: string): Promise<TokenPair> {
  const pair = await request<TokenPair>('/api/v1/auth/login', {
    method: 'POST',
    body: { email, password },
    anonymous: true,
  });
  authStore.setPair(pair);
  return pair;
}

export async function logout(): Promise<void> {
  try {
    await request<void>('/api/v1/auth/logout', { method: 'POST' });
  } catch {
    // signing out locally is what matters
  }
  authStore.clear('logout');
}

export const studentApi = {
  myExams: () => request<MyExam[] | { items: MyExam[] }>('/api/v1/exams'),
  start: (examId: string, entryToken: string) =>
    request<SessionView>(`/api/v1/exams/${encodeURIComponent(examId)}/sessions`, {
      method: 'POST',
      body: { entryToken },
    }),
  session: (sessionId: string) =>
    request<SessionView>(`/api/v1/sessions/${encodeURIComponent(sessionId)}`),
  saveAnswers: (
    sessionId: string,
    answers: { questionId: string; answer: Answer; clientTs?: string }[],
    idempotencyKey: string,
  ) =>
    request<SaveAnswersResponse>(`/api/v1/sessions/${encodeURIComponent(sessionId)}/answers`, {
      method: 'PUT',
      body: { answers },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  submit: (sessionId: string, idempotencyKey: string) =>
    request<SessionResult>(`/api/v1/sessions/${encodeURIComponent(sessionId)}/submit`, {
      method: 'POST',
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  result: (sessionId: string) =>
    request<SessionResult>(`/api/v1/sessions/${encodeURIComponent(sessionId)}/result`),
  signal: (sessionId: string, type: SignalType) =>
    request<void>(`/api/v1/sessions/${encodeURIComponent(sessionId)}/signals`, {
      method: 'POST',
      body: { type, at: new Date().toISOString() },
      keepalive: true,
    }),
};
