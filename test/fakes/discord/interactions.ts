/**
 * Interactions as Discord runs them: the stand-in plays the Discord client (builds the
 * INTERACTION_CREATE a member's slash command or autocomplete produces, refusing options the
 * client UI would not let anyone type), then enforces the answer rules: first response within
 * 3 s (10062), one acknowledgement only (40060), followups for 15 min (50027).
 */
import type { UploadedFile } from './uploads.ts';
import { BOT_PERMS, MEMBER_PERMS, type World } from './world.ts';

export type ResponseKind = 'reply' | 'defer' | 'autocomplete' | 'edit' | 'followup';

export interface InteractionResponse {
  readonly kind: ResponseKind;
  readonly data: Record<string, unknown>;
  /** Files uploaded with this response (multipart). */
  readonly files: readonly UploadedFile[];
}

/** What a member saw: the final answer (reply, or the edit after a defer) and everything sent. */
export interface InvokeResult {
  readonly final: InteractionResponse;
  readonly responses: InteractionResponse[];
  readonly content: string;
  readonly embeds: Array<Record<string, unknown>>;
  /** Files the final answer carries. */
  readonly files: readonly UploadedFile[];
  readonly ephemeral: boolean;
  readonly choices: Array<{ name: string; value: string | number }>;
}

export interface InvokeContext {
  /** Member's user id (default: a fixed test user). */
  readonly userId?: string;
  /** Guild text channel id; omit to invoke from the user's DMs with the bot. */
  readonly channelId?: string;
  /** The member's permissions in the channel (default: view/send/embed, no Manage Channels). */
  readonly permissions?: bigint;
  /** The bot's permissions in the channel (default: view/send/embed). */
  readonly appPermissions?: bigint;
}

export type OptionValue = string | number | boolean;

interface Pending {
  readonly id: string;
  readonly token: string;
  readonly createdMs: number;
  acked: ResponseKind | null;
  readonly responses: InteractionResponse[];
  settle: ((r: InteractionResponse) => void) | null;
}

const TYPE_OF: Record<string, number> = { string: 3, boolean: 5, number: 10 };

export class Interactions {
  readonly byToken = new Map<string, Pending>();
  readonly byId = new Map<string, Pending>();
  ackTimeoutMs = 3000;
  followupTtlMs = 15 * 60_000;

  constructor(private readonly world: World) {}

  /** Builds the interaction payload; throws if the Discord client would refuse the input. */
  build(
    path: string,
    options: Record<string, OptionValue>,
    ctx: InvokeContext,
    focused?: string,
  ): { id: string; token: string; payload: Record<string, unknown> } {
    // `/name`, `/name sub` or `/name group sub` (a subcommand group, e.g. `/alert add breakeven`).
    const [name = '', first, second] = path.split(' ');
    const group = second === undefined ? undefined : first;
    const sub = second ?? first;
    const defs = this.world.guildCommands.get(this.world.guildId) ?? this.world.globalCommands;
    const cmd = defs.find((c) => c['name'] === name);
    if (defs.length > 0 && cmd === undefined) throw new Error(`no registered command /${name}`);
    let optionDefs = (cmd?.['options'] ?? []) as Array<Record<string, unknown>>;
    if (group !== undefined && cmd !== undefined) {
      const groupDef = optionDefs.find((o) => o['name'] === group && o['type'] === 2);
      if (groupDef === undefined) throw new Error(`/${name} has no subcommand group ${group}`);
      optionDefs = (groupDef['options'] ?? []) as Array<Record<string, unknown>>;
    }
    if (sub !== undefined && cmd !== undefined) {
      const subDef = optionDefs.find((o) => o['name'] === sub && o['type'] === 1);
      if (subDef === undefined) throw new Error(`/${name} has no subcommand ${sub}`);
      optionDefs = (subDef['options'] ?? []) as Array<Record<string, unknown>>;
    }
    const opts = Object.entries(options).map(([k, v]) =>
      this.option(path, k, v, optionDefs, cmd !== undefined, k === focused),
    );
    for (const d of optionDefs) {
      if (d['required'] === true && !(String(d['name']) in options))
        throw new Error(`/${path}: required option ${String(d['name'])} missing`);
    }
    const data: Record<string, unknown> = {
      id: (cmd?.['id'] as string | undefined) ?? this.world.ids.next(),
      name,
      type: 1,
      options:
        sub === undefined
          ? opts
          : group === undefined
            ? [{ type: 1, name: sub, options: opts }]
            : [{ type: 2, name: group, options: [{ type: 1, name: sub, options: opts }] }],
    };
    if (cmd?.['guild_id'] !== undefined) data['guild_id'] = cmd['guild_id'];
    const userId = ctx.userId ?? '400000000000000001';
    const user = this.world.user(userId);
    const id = this.world.ids.next();
    const token = `aW50ZXJhY3Rpb246${id}${Math.random().toString(36).slice(2)}`;
    const payload: Record<string, unknown> = {
      id,
      token,
      application_id: this.world.applicationId,
      type: focused === undefined ? 2 : 4,
      data,
      version: 1,
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { 0: this.world.guildId },
      app_permissions: (ctx.appPermissions ?? BOT_PERMS).toString(),
      attachment_size_limit: 8_388_608,
    };
    if (ctx.channelId !== undefined) {
      const ch = this.world.channels.get(ctx.channelId);
      if (ch === undefined) throw new Error(`unknown channel ${ctx.channelId}`);
      Object.assign(payload, {
        guild_id: this.world.guildId,
        guild_locale: 'en-US',
        context: 0,
        channel_id: ch.id,
        channel: this.world.channelJson(ch),
        member: this.world.memberJson(user, ctx.permissions ?? MEMBER_PERMS),
      });
    } else {
      const dm = this.world.dmChannel(userId);
      Object.assign(payload, { user, context: 1, channel_id: dm.id, channel: this.world.channelJson(dm) });
    }
    return { id, token, payload };
  }

  private option(
    path: string,
    key: string,
    value: OptionValue,
    defs: Array<Record<string, unknown>>,
    strict: boolean,
    focused: boolean,
  ): Record<string, unknown> {
    const def = defs.find((d) => d['name'] === key);
    if (def === undefined) {
      if (strict) throw new Error(`/${path} has no option ${key}`);
      return focused
        ? { name: key, type: TYPE_OF[typeof value] ?? 3, value, focused: true }
        : { name: key, type: TYPE_OF[typeof value] ?? 3, value };
    }
    const type = Number(def['type']);
    if (!focused) {
      const choices = def['choices'] as Array<{ value: unknown }> | undefined;
      if (choices !== undefined && !choices.some((c) => c.value === value))
        throw new Error(`/${path} ${key}: ${String(value)} is not one of the choices`);
      if ((type === 4 || type === 10) && typeof value !== 'number')
        throw new Error(`/${path} ${key}: must be a number`);
      if (type === 4 && !Number.isInteger(value)) throw new Error(`/${path} ${key}: must be an integer`);
      if (typeof value === 'number') {
        if (typeof def['min_value'] === 'number' && value < def['min_value'])
          throw new Error(`/${path} ${key}: below min_value`);
        if (typeof def['max_value'] === 'number' && value > def['max_value'])
          throw new Error(`/${path} ${key}: above max_value`);
      }
      if (typeof value === 'string' && typeof def['max_length'] === 'number' && value.length > def['max_length'])
        throw new Error(`/${path} ${key}: too long`);
    }
    return focused ? { name: key, type, value, focused: true } : { name: key, type, value };
  }

  /** Registers an interaction and returns a promise of its final response. */
  track(id: string, token: string, timeoutMs: number): Promise<InteractionResponse> {
    const p: Pending = { id, token, createdMs: Date.now(), acked: null, responses: [], settle: null };
    this.byToken.set(token, p);
    this.byId.set(id, p);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `interaction ${id}: no final response within ${timeoutMs} ms (got ${p.responses.map((r) => r.kind).join(',') || 'nothing'})`,
            ),
          ),
        timeoutMs,
      );
      p.settle = (r) => {
        clearTimeout(timer);
        p.settle = null;
        resolve(r);
      };
    });
  }

  responsesOf(id: string): InteractionResponse[] {
    return this.byId.get(id)?.responses ?? [];
  }

  /** POST /interactions/{id}/{token}/callback. Returns [status, body | null]. */
  callback(
    id: string,
    token: string,
    body: { type?: number; data?: Record<string, unknown> },
    files: readonly UploadedFile[] = [],
  ): [number, unknown] {
    const p = this.byToken.get(token);
    if (p === undefined || p.id !== id || (p.acked === null && Date.now() - p.createdMs > this.ackTimeoutMs)) {
      return [404, { message: 'Unknown interaction', code: 10062 }];
    }
    if (p.acked !== null) return [400, { message: 'Interaction has already been acknowledged.', code: 40060 }];
    const kind: ResponseKind | null =
      body.type === 4 ? 'reply' : body.type === 5 ? 'defer' : body.type === 8 ? 'autocomplete' : null;
    if (kind === null)
      return [
        400,
        {
          message: 'Invalid Form Body',
          code: 50035,
          errors: { type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {4, 5, 8}.' }] } },
        },
      ];
    p.acked = kind;
    const r = { kind, data: body.data ?? {}, files };
    p.responses.push(r);
    if (kind !== 'defer') p.settle?.(r);
    return [204, null];
  }

  /** Webhook edits/followups by interaction token. */
  webhook(
    token: string,
    kind: 'edit' | 'followup',
    body: Record<string, unknown>,
    files: readonly UploadedFile[] = [],
  ): [number, unknown] | 'ok' {
    const p = this.byToken.get(token);
    if (p === undefined) return [404, { message: 'Unknown Webhook', code: 10015 }];
    if (Date.now() - p.createdMs > this.followupTtlMs) return [401, { message: 'Invalid Webhook Token', code: 50027 }];
    if (p.acked === null) return [404, { message: 'Unknown Message', code: 10008 }];
    const r = { kind, data: body, files };
    p.responses.push(r);
    if (kind === 'edit' && p.acked === 'defer') p.settle?.(r);
    return 'ok';
  }
}

/** Flattens a final response into what a member reads. */
export function toResult(final: InteractionResponse, responses: InteractionResponse[]): InvokeResult {
  const first = responses[0]?.data ?? {};
  const flags = Number(first['flags'] ?? final.data['flags'] ?? 0);
  return {
    final,
    responses,
    content: String(final.data['content'] ?? ''),
    embeds: (final.data['embeds'] ?? []) as Array<Record<string, unknown>>,
    files: final.files,
    ephemeral: (flags & 64) !== 0,
    choices: (final.data['choices'] ?? []) as Array<{ name: string; value: string | number }>,
  };
}
