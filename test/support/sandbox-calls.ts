/**
 * GraphQL calls as the sandbox tests make them (docs/sandboxes.md): as an administrator through
 * the development headers (global_admin unless told), or with a sandbox's bearer token. The
 * answer keeps the HTTP status and Retry-After beside the body, for the gate's 503s.
 */
export type SandboxCaller = { partner: string; roles?: string } | { token: string };

export interface SandboxAnswer<T> {
  status: number;
  retryAfter: string | null;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function callAs<T>(
  url: string,
  caller: SandboxCaller,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SandboxAnswer<T>> {
  const auth: Record<string, string> =
    'token' in caller
      ? { authorization: `Bearer ${caller.token}` }
      : { 'x-partner-id': caller.partner, 'x-partner-roles': caller.roles ?? 'global_admin' };
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ...((await res.json()) as object) };
}
