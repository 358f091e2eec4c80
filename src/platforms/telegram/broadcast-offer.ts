/**
 * `/start` in a private chat offers the operator's public channel (BROADCAST_TELEGRAM_CHAT): the
 * default rules reach everyone there in one post, the moment the block is in, while this chat
 * keeps its own thresholds. Groups and channels get no offer (they are already shared places).
 */
import type { BroadcastChannel } from '../../subscriptions/broadcast.ts';
import type { ChatRef, Reply } from './handlers.ts';
import { html, joinHtml } from './html.ts';

/** The reply with one more line and a link button, when there is a channel to offer. */
export function withBroadcastOffer(reply: Reply, chat: ChatRef, channel: BroadcastChannel | null): Reply {
  if (channel === null || chat.type !== 'private') return reply;
  const line = html`📣 The default alerts also go out at once, to everyone, in ${channel.name}. Your own thresholds stay here.`;
  const button =
    channel.url === null ? [] : [[{ text: `📣 Open ${channel.name}`.slice(0, 60), data: '', url: channel.url }]];
  return {
    ...reply,
    html: joinHtml([reply.html, line], '\n'),
    buttons: [...button, ...(reply.buttons ?? [])],
  };
}
