/**
 * The stand-in's gateway (v10, JSON, no compression): HELLO, heartbeat ACKs, IDENTIFY → READY
 * (with a local resume_gateway_url and the application) + GUILD_CREATE, RESUME → replay of missed
 * dispatches + RESUMED, and Discord's close codes (4003 not authenticated, 4004 bad token,
 * 4005 already authenticated). Dispatches sent while no socket is connected wait for the resume.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { World } from './world.ts';

interface Session {
  readonly id: string;
  seq: number;
  socket: WebSocket | null;
  /** Dispatches kept for replay on RESUME. */
  readonly sent: Array<{ s: number; frame: string }>;
}

export class FakeGateway {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sessions = new Map<string, Session>();
  identifies = 0;
  resumes = 0;
  heartbeats = 0;
  heartbeatIntervalMs = 41_250;
  /** Set false to play a zombie connection: heartbeats go unanswered. */
  ackHeartbeats = true;
  private readyWaiters: Array<() => void> = [];

  constructor(
    private readonly world: World,
    private readonly token: string,
    private readonly url: () => string,
  ) {
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    let session: Session | null = null;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null }));
    ws.on('message', (raw) => {
      let msg: { op?: number; d?: Record<string, unknown> };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      if (msg.op === 1) {
        this.heartbeats += 1;
        if (this.ackHeartbeats) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        return;
      }
      if (msg.op === 2) {
        if (session !== null) return ws.close(4005, 'Already authenticated.');
        if (msg.d?.['token'] !== this.token) return ws.close(4004, 'Authentication failed.');
        this.identifies += 1;
        session = { id: `sess${this.world.ids.next()}`, seq: 0, socket: ws, sent: [] };
        this.sessions.set(session.id, session);
        this.dispatch(session, 'READY', {
          v: 10,
          user: this.world.bot,
          guilds: [{ id: this.world.guildId, unavailable: true }],
          session_id: session.id,
          resume_gateway_url: this.url(),
          shard: [0, 1],
          application: { id: this.world.applicationId, flags: 0 },
          private_channels: [],
          relationships: [],
          presences: [],
          guild_join_requests: [],
          geo_ordered_rtc_regions: [],
          user_settings: {},
        });
        this.dispatch(session, 'GUILD_CREATE', this.world.guildJson());
        for (const w of this.readyWaiters.splice(0)) w();
        return;
      }
      if (msg.op === 6) {
        const s = this.sessions.get(String(msg.d?.['session_id']));
        if (s === undefined || msg.d?.['token'] !== this.token) {
          ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
          return;
        }
        this.resumes += 1;
        session = s;
        s.socket = ws;
        const from = Number(msg.d?.['seq'] ?? 0);
        for (const f of s.sent) if (f.s > from) ws.send(f.frame);
        this.dispatch(s, 'RESUMED', null);
        return;
      }
      if (session === null) ws.close(4003, 'Not authenticated.');
    });
    ws.on('close', () => {
      if (session !== null && session.socket === ws) session.socket = null;
    });
  }

  private dispatch(s: Session, t: string, d: unknown): void {
    s.seq += 1;
    const frame = JSON.stringify({ op: 0, t, s: s.seq, d });
    s.sent.push({ s: s.seq, frame });
    if (s.sent.length > 1000) s.sent.shift();
    s.socket?.send(frame);
  }

  /** Sends a dispatch on the newest session (replayed on resume if currently disconnected). */
  send(t: string, d: unknown): void {
    const s = [...this.sessions.values()].at(-1);
    if (s === undefined) throw new Error('no gateway session: the bot has not identified');
    this.dispatch(s, t, d);
  }

  /** Resolves once a session exists (the bot identified). */
  whenIdentified(): Promise<void> {
    if (this.sessions.size > 0) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  /** Drops every live connection abruptly (like a network cut): the client must RESUME. */
  drop(): void {
    for (const s of this.sessions.values()) s.socket = null;
    for (const ws of this.wss.clients) ws.terminate();
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
