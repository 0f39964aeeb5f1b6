import WebSocket from 'ws';

/**
 * A student as the public contract sees one: HTTP with a bearer token and a WebSocket.
 * Every body and frame the server sends is kept in `seen`, so a test can scan everything
 * a student was ever shown.
 */
export class StudentClient {
  readonly seen: { where: string; body: unknown }[] = [];
  token = '';
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, (m: Record<string, unknown>) => void>();
  private nextId = 0;

  constructor(
    readonly base: string,
    readonly nisn: string,
    readonly password: string,
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    this.seen.push({ where: `${method} ${path} → ${res.status}`, body: json });
    return { status: res.status, body: json };
  }

  async login() {
    const res = await this.call('POST', '/api/v1/auth/login', {
      nisn: this.nisn,
      password: this.password,
    });
    if (res.status !== 200)
      throw new Error(`login ${this.nisn}: ${res.status} ${JSON.stringify(res.body)}`);
    this.token = res.body['accessToken'] as string;
  }

  async connect(): Promise<void> {
    const ws = new WebSocket(
      `${this.base.replace(/^http/, 'ws')}/api/v1/ws?token=${encodeURIComponent(this.token)}`,
    );
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      this.seen.push({ where: `ws ${String(m['type'])}`, body: m });
      const id = m['id'];
      if (typeof id === 'string') {
        this.pending.get(id)?.(m);
        this.pending.delete(id);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.socket = ws;
  }

  /** Sends a message and waits for the reply that echoes its id. */
  request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const id = `m${++this.nextId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${String(message['type'])} ${id}`)),
        timeoutMs,
      );
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.socket!.send(JSON.stringify({ ...message, id }));
    });
  }

  /** The network drops: no close handshake. */
  dropSocket() {
    this.socket?.terminate();
    this.socket = undefined;
  }

  close() {
    this.socket?.close();
  }
}

/** Any key that would tell a student which answer is right, anywhere in a value. */
export function leakedKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leakedKeys(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(/correct|answerKey|explanation|isRight/i.test(k) ? [`${path}.${k}`] : []),
      ...leakedKeys(v, `${path}.${k}`),
    ]);
  }
  return [];
}
