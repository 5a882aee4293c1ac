import type { Notification } from '../../config/db-types.ts';
import { isFailure, type NotificationBody } from './body.ts';

/** One HTTP request to a target, ready for `send`. */
export interface NotifyRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Shapes a body for its target: the JSON body as is; Slack's incoming webhook
 * `{ text }` (mrkdwn link to the run); ntfy's plain-text message with its
 * Title / Priority / Tags / Click headers (https://docs.ntfy.sh/publish/).
 */
export function notifyRequest(target: Pick<Notification, 'url' | 'type' | 'priority' | 'tags'>, body: NotificationBody): NotifyRequest {
  const json = { 'content-type': 'application/json', 'user-agent': 'railyard' };
  switch (target.type) {
    case 'json':
      return { url: target.url, headers: json, body: JSON.stringify(body) };
    case 'slack': {
      const link = body.url === null ? '' : ` <${body.url}|open the run>`;
      return { url: target.url, headers: json, body: JSON.stringify({ text: `${body.text}${link}` }) };
    }
    case 'ntfy': {
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        'user-agent': 'railyard',
        // Header values must be Latin-1: the title is kept ASCII.
        title: `railyard ${body.event}: ${body.project === '*' ? 'stack' : body.project}${body.service === null ? '' : `/${body.service}`}`.replace(/[^\x20-\x7e]/g, '?'),
        priority: String(target.priority ?? (isFailure(body.event) ? 4 : 3)),
      };
      const tags = target.tags ?? [isFailure(body.event) ? 'warning' : 'white_check_mark'];
      if (tags.length > 0) headers['tags'] = tags.join(',');
      if (body.url !== null) headers['click'] = body.url;
      return { url: target.url, headers, body: body.text };
    }
  }
}
