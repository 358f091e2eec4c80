/**
 * mempool.space stand-in on 127.0.0.1: the REST endpoints hashbell uses and the `/api/v1/ws`
 * websocket (init, want, ping/pong, block / blocks / da / conversions pushes), served from a
 * FakeChain. Faults on demand: drop, stall, garble, oversize, wrong types, 429/503 storms, price
 * outage, refused websocket. Mirrors the real server's behaviour described in chain-data.md §1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeChain, type FixtureBlock } from './fake-chain.ts';

export interface FakeMempoolOptions {
  readonly chain?: FakeChain;
  readonly priceUsd?: number;
}

interface Client {
  ws: WebSocket;
  wantBlocks: boolean;
  wantStats: boolean;
  stalled: boolean;
}

export class FakeMempoolSpace {
  readonly chain: FakeChain;
  url = '';
  /** Every REST request (path and ms time), for pacing and backoff assertions. */
  readonly requests: Array<{ path: string; at: number; status: number }> = [];
  wsConnections = 0;
  /** Called before each REST request is answered (tests start storms at a chosen moment). */
  onRequest: ((path: string, count: number) => void) | null = null;
  private requestCount = 0;
  pingsReceived = 0;
  private readonly clients = new Set<Client>();
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private stalled = false;
  private refuseWs = false;
  private stormLeft = 0;
  private stormStatus = 429;
  private stormRetryAfter: string | null = null;
  private priceMode: 'ok' | 'error' | 'minus-one' = 'ok';
  private price: { time: number; USD: number };

  private constructor(opts: FakeMempoolOptions) {
    this.chain = opts.chain ?? new FakeChain();
    this.price = { time: Math.floor(Date.now() / 1000), USD: opts.priceUsd ?? 95_000 };
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if (this.refuseWs || !req.url?.startsWith('/api/v1/ws')) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  static async start(opts: FakeMempoolOptions = {}): Promise<FakeMempoolSpace> {
    const f = new FakeMempoolSpace(opts);
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Mines n blocks and pushes each as a `block` frame (with stats keys, like the real server). */
  mine(n = 1, opts: { silent?: boolean } = {}): FixtureBlock[] {
    const out = this.chain.mine(n);
    if (!opts.silent) for (const b of out) this.pushBlock(b);
    return out;
  }

  /** Reorg: replace `depth` blocks; push the `blocks` list then the new tip, as handleReorg does. */
  reorg(depth: number, extra = 1, opts: { silent?: boolean } = {}): FixtureBlock[] {
    const added = this.chain.reorg(depth, extra);
    if (!opts.silent) {
      this.broadcast((c) => (c.wantBlocks ? { blocks: this.chain.blocks.slice(-8) } : null));
      this.pushBlock(this.chain.tip);
    }
    return added;
  }

  /** Undoes the last reorg (the orphaned branch wins after all), announced like a reorg. */
  reorgBack(extra = 2): FixtureBlock[] {
    const added = this.chain.reorgBack(extra);
    this.broadcast((c) => (c.wantBlocks ? { blocks: this.chain.blocks.slice(-8) } : null));
    this.pushBlock(this.chain.tip);
    return added;
  }

  /** Terminates every websocket (clients must reconnect). */
  dropConnections(): void {
    for (const c of this.clients) c.ws.terminate();
  }

  /**
   * Stalls the sockets open now (or, with `all`, every socket until stall(false)): they stay
   * open, nothing is sent on them, pings go unanswered. New connections work unless `all`.
   */
  stall(on: boolean, all = false): void {
    this.stalled = on && all;
    for (const c of this.clients) c.stalled = on;
  }

  refuseWebsocket(on: boolean): void {
    this.refuseWs = on;
  }

  /** Sends a raw frame to every client (garbage, oversize and wrong-type tests). */
  sendRaw(data: string | Buffer, binary = false): void {
    for (const c of this.clients) if (!c.stalled) c.ws.send(data, { binary });
  }

  /** The next `count` REST requests answer `status` (429 carries Retry-After). */
  storm(status: 429 | 503, count: number, retryAfterSec?: number): void {
    this.stormStatus = status;
    this.stormLeft = count;
    this.stormRetryAfter = retryAfterSec === undefined ? null : String(retryAfterSec);
  }

  setPriceMode(mode: 'ok' | 'error' | 'minus-one'): void {
    this.priceMode = mode;
  }

  setPrice(usd: number, timeSec = Math.floor(Date.now() / 1000)): void {
    this.price = { time: timeSec, USD: usd };
    if (this.priceMode === 'ok') this.broadcast(() => ({ conversions: this.conversions() }));
  }

  /** The price currently served, as hashbell's PricePoint. */
  get pricePoint(): { timeSec: number; usd: number } {
    return { timeSec: this.price.time, usd: this.price.USD };
  }

  get connectedClients(): number {
    return this.clients.size;
  }

  private conversions(): Record<string, number> {
    const usd = this.priceMode === 'ok' ? this.price.USD : -1;
    return { time: this.price.time, USD: usd, EUR: usd < 0 ? -1 : Math.round(usd * 0.92) };
  }

  private da(): Record<string, number> {
    const tip = this.chain.tip;
    const bie = tip.height % 2016;
    return {
      progressPercent: (bie / 2016) * 100,
      difficultyChange: 1.5,
      estimatedRetargetDate: (tip.timestamp + (2016 - bie) * 600) * 1000,
      remainingBlocks: 2016 - bie,
      remainingTime: (2016 - bie) * 600_000,
      previousRetarget: -0.5,
      previousTime: tip.timestamp - bie * 600,
      nextRetargetHeight: tip.height + 2016 - bie,
      timeAvg: 600_000,
      adjustedTimeAvg: 600_000,
      timeOffset: 0,
      expectedBlocks: bie,
    };
  }

  /** Pushes an already mined block as a `block` frame (benches time the send alone). */
  broadcastBlock(b: FixtureBlock): void {
    this.pushBlock(b);
  }

  private pushBlock(b: FixtureBlock): void {
    this.broadcast((c) => {
      const frame: Record<string, unknown> = {};
      if (c.wantBlocks) frame['block'] = b;
      if (c.wantStats)
        Object.assign(frame, { mempoolInfo: { size: 1000, bytes: 500_000 }, da: this.da(), fees: { fastestFee: 5 } });
      return Object.keys(frame).length > 0 ? frame : null;
    });
  }

  private broadcast(frame: (c: Client) => object | null): void {
    for (const c of this.clients) {
      if (c.stalled) continue;
      const f = frame(c);
      if (f) c.ws.send(JSON.stringify(f));
    }
  }

  private onConnection(ws: WebSocket): void {
    this.wsConnections++;
    const c: Client = { ws, wantBlocks: false, wantStats: false, stalled: this.stalled };
    this.clients.add(c);
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => this.clients.delete(c));
    ws.on('message', (data) => {
      if (data.toString().length > 50_000) return ws.terminate();
      let msg: { action?: string; data?: string[] };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return;
      }
      if (c.stalled) {
        if (msg.action === 'ping') this.pingsReceived++;
        return;
      }
      if (msg.action === 'init') {
        ws.send(
          JSON.stringify({
            blocks: this.chain.blocks.slice(-8),
            conversions: this.conversions(),
            da: this.da(),
            mempoolInfo: { size: 1 },
          }),
        );
      } else if (msg.action === 'want') {
        const want = new Set(msg.data ?? []);
        const newBlocks = want.has('blocks') && !c.wantBlocks;
        const newStats = want.has('stats') && !c.wantStats;
        c.wantBlocks = want.has('blocks');
        c.wantStats = want.has('stats');
        if (newBlocks) ws.send(JSON.stringify({ blocks: this.chain.blocks.slice(-8) }));
        if (newStats) ws.send(JSON.stringify({ mempoolInfo: { size: 1 }, da: this.da(), fees: { fastestFee: 5 } }));
      } else if (msg.action === 'ping') {
        this.pingsReceived++;
        ws.send(JSON.stringify({ pong: true }));
      }
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (
      status: number,
      body: string,
      type = 'application/json',
      headers: Record<string, string> = {},
    ): void => {
      this.requests.push({ path, at: Date.now(), status });
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    this.onRequest?.(path, ++this.requestCount);
    if (this.stormLeft > 0) {
      this.stormLeft--;
      const headers: Record<string, string> =
        this.stormRetryAfter === null ? {} : { 'retry-after': this.stormRetryAfter };
      return send(
        this.stormStatus,
        this.stormStatus === 429 ? 'Too Many Requests' : 'Service Unavailable',
        'text/plain',
        headers,
      );
    }
    if (path === '/api/blocks/tip/height' || path === '/api/v1/blocks/tip/height')
      return send(200, String(this.chain.tip.height), 'text/plain');
    if (path === '/api/blocks/tip/hash' || path === '/api/v1/blocks/tip/hash')
      return send(200, this.chain.tip.id, 'text/plain');
    const page = /^\/api\/v1\/blocks(?:\/(\d+))?$/.exec(path);
    if (page) {
      const tip = this.chain.tip.height;
      const start = page[1] === undefined ? tip : Math.min(tip, Number(page[1]));
      const out: FixtureBlock[] = [];
      for (let h = start; h > start - 15; h--) {
        const b = this.chain.at(h);
        if (b) out.push(b);
      }
      return send(200, JSON.stringify(out));
    }
    if (path === '/api/v1/difficulty-adjustment') return send(200, JSON.stringify(this.da()));
    if (path === '/api/v1/prices') {
      if (this.priceMode === 'error') return send(503, 'Service Unavailable', 'text/plain');
      return send(200, JSON.stringify(this.conversions()));
    }
    send(404, 'Not Found', 'text/plain');
  }
}
