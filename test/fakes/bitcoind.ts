/**
 * Bitcoin Core JSON-RPC stand-in over a FakeChain (the same blocks the mempool stand-in serves):
 * getblockchaininfo, getblockhash, getblockheader, getblockstats, with HTTP basic auth and Core's
 * error shapes (401 with empty body, -8 height out of range, -5 block not found, -32601).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeChain, FixtureBlock } from './fake-chain.ts';

export interface FakeBitcoindOptions {
  readonly chain: FakeChain;
  readonly user?: string;
  readonly password?: string;
  /** Pretend getblockstats is unavailable (old or pruned node). */
  readonly noStats?: boolean;
}

export class FakeBitcoind {
  /** URL with credentials, as BITCOIN_RPC_URL would be. */
  url = '';
  readonly calls: string[] = [];
  down = false;
  /** Blocks this node does not have (getblockhash at their height answers -8): a node that disagrees. */
  readonly hidden = new Set<string>();
  readonly chain: FakeChain;
  private readonly server: Server;

  private constructor(private readonly opts: FakeBitcoindOptions) {
    this.chain = opts.chain;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: FakeBitcoindOptions): Promise<FakeBitcoind> {
    const f = new FakeBitcoind(opts);
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
    const port = (f.server.address() as AddressInfo).port;
    f.url = `http://${opts.user ?? 'hashbell'}:${opts.password ?? 'sekret-pw-123'}@127.0.0.1:${port}`;
    return f;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.down) {
      res.writeHead(503).end();
      return;
    }
    const expected = `Basic ${Buffer.from(`${this.opts.user ?? 'hashbell'}:${this.opts.password ?? 'sekret-pw-123'}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' }).end();
      return;
    }
    let body: RpcCall | RpcCall[];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString()) as RpcCall | RpcCall[];
    } catch {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ result: null, error: { code: -32700, message: 'Parse error' }, id: null }));
      return;
    }
    if (Array.isArray(body)) {
      // JSON-RPC batch: always HTTP 200, one reply per call, errors inside
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(body.map((c) => this.answer(c).reply)));
      return;
    }
    const { status, reply } = this.answer(body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  }

  private answer(msg: RpcCall): { status: number; reply: object } {
    const method = msg.method ?? '';
    this.calls.push(method);
    const reply = (
      status: number,
      result: unknown,
      error: { code: number; message: string } | null,
    ): { status: number; reply: object } => ({ status, reply: { result, error, id: msg.id ?? null } });
    const chain = this.opts.chain;
    const params = msg.params ?? [];
    switch (method) {
      case 'getblockchaininfo': {
        const t = chain.tip;
        return reply(
          200,
          {
            chain: 'main',
            blocks: t.height,
            headers: t.height,
            bestblockhash: t.id,
            bits: hex(t.bits),
            difficulty: t.difficulty,
            time: t.timestamp,
            mediantime: t.mediantime,
            verificationprogress: 1,
            initialblockdownload: false,
            chainwork: '00'.repeat(32),
            size_on_disk: 1,
            pruned: false,
            warnings: [],
          },
          null,
        );
      }
      case 'getblockhash': {
        const b = chain.at(Number(params[0]));
        return b && !this.hidden.has(b.id)
          ? reply(200, b.id, null)
          : reply(500, null, { code: -8, message: 'Block height out of range' });
      }
      case 'getblockheader': {
        const b = chain.byHash(String(params[0]));
        return b ? reply(200, header(b, chain), null) : reply(500, null, { code: -5, message: 'Block not found' });
      }
      case 'getblockstats': {
        if (this.opts.noStats) return reply(500, null, { code: -32601, message: 'Method not found' });
        const b = chain.byHash(String(params[0]));
        return b
          ? reply(200, { totalfee: b.extras.totalFees, height: b.height }, null)
          : reply(500, null, { code: -5, message: 'Block not found' });
      }
      default:
        return reply(404, null, { code: -32601, message: 'Method not found' });
    }
  }
}

interface RpcCall {
  id?: unknown;
  method?: string;
  params?: unknown[];
}

function hex(bits: number): string {
  return bits.toString(16).padStart(8, '0');
}

function header(b: FixtureBlock, chain: FakeChain): Record<string, unknown> {
  const onMain = chain.at(b.height)?.id === b.id;
  const next = onMain ? chain.at(b.height + 1) : undefined;
  return {
    hash: b.id,
    confirmations: onMain ? chain.tip.height - b.height + 1 : -1,
    height: b.height,
    version: b.version,
    versionHex: hex(b.version),
    merkleroot: b.merkle_root,
    time: b.timestamp,
    mediantime: b.mediantime,
    nonce: b.nonce,
    bits: hex(b.bits),
    difficulty: b.difficulty,
    chainwork: '00'.repeat(32),
    nTx: b.tx_count,
    previousblockhash: b.previousblockhash,
    ...(next ? { nextblockhash: next.id } : {}),
  };
}
