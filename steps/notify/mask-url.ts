/**
 * A notification URL fit for a log line, an API answer or a page. Webhook
 * URLs carry their secret in the path (Slack's `/services/T…/B…/XXXX`, an
 * ntfy topic, a token segment) or the query, so only the scheme, the host and
 * a leading path segment that is followed by more are kept:
 * `https://hooks.slack.com/services/***`, `https://ntfy.sh/***`.
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  const segments = parsed.pathname.split('/').filter((s) => s !== '');
  const kept = segments.length > 1 ? `/${segments[0]}` : '';
  const masked = segments.length > 0 || parsed.search !== '' ? '/***' : '/';
  const user = parsed.username !== '' || parsed.password !== '' ? '***@' : '';
  return `${parsed.protocol}//${user}${parsed.host}${kept}${masked}`;
}
