import { RailyardError } from '../../core/errors.ts';

const HTTPS_HINT = 'use the HTTPS URL of the repository (https://host/owner/repo.git) and put an access token in GIT_TOKEN';

/**
 * Checks REPO_URL at start-up. railyard fetches over HTTPS with a token only:
 * SSH URLs (`ssh://`, `git@host:path`) and other transports are refused, and so
 * are credentials inside the URL, which would land in `.git/config`.
 */
export function checkRepoUrl(repoUrl: string): URL {
  if (/^ssh:\/\//i.test(repoUrl) || /^[\w.-]+@[\w.-]+:/.test(repoUrl)) {
    throw new RailyardError('GIT_URL_UNSUPPORTED', `REPO_URL=${repoUrl} is an SSH URL, which railyard does not support: ${HTTPS_HINT}`);
  }
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch (error) {
    throw new RailyardError('GIT_URL_UNSUPPORTED', `REPO_URL is not a URL: ${HTTPS_HINT}`, { cause: error });
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo this URL: it holds a secret.
    throw new RailyardError('GIT_URL_UNSUPPORTED', 'REPO_URL contains credentials: remove them from the URL and put the token in GIT_TOKEN');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RailyardError('GIT_URL_UNSUPPORTED', `REPO_URL=${repoUrl} uses ${url.protocol}, which railyard does not support: ${HTTPS_HINT}`);
  }
  return url;
}
