import type Git from 'isomorphic-git';

/** isomorphic-git, loaded on first use: only runs that touch git pay for loading it. */
export async function gitLib(): Promise<typeof Git> {
  return (await import('isomorphic-git')).default;
}

/** isomorphic-git's fetch-based HTTP client, loaded on first use. */
export async function gitHttpRequest(): Promise<typeof import('isomorphic-git/http/web').request> {
  return (await import('isomorphic-git/http/web')).request;
}
