import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'undici';

/**
 * The `fetch` that Bolt (a click's `respond`, to its response_url) and the Web API client use, on undici's
 * `request` over one keep-alive connection pool instead of the global `fetch`.
 *
 * Why: every vote's confirmation is one POST to its response_url, so at a storm's rate the HTTP client is a large
 * part of the product's work. Measured on the 2-core machine (8 in flight, small JSON bodies, docs/benchmarks.md),
 * the global `fetch` spent about 4× the CPU per call of `request` (WHATWG streams, Request/Response objects, their
 * garbage). It does what those two callers use of `fetch`: a string, bytes or URLSearchParams body, headers, an
 * abort signal; the answer's status, headers and whole body (read at once: Slack's answers are small, and an unread
 * body would hold its connection). Anything else (a FormData upload, a Request object) goes to the global `fetch`.
 * Redirects are not followed (the Web API client asks for `redirect: 'error'`; a 3xx is not a 200 and fails as one).
 */
export function createHttpFetch(o: { keepAliveTimeoutMs?: number } = {}): typeof fetch {
  const dispatcher = new Agent({ keepAliveTimeout: o.keepAliveTimeoutMs ?? 4_000 });
  const httpFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    const plainBody =
      body === undefined ||
      body === null ||
      typeof body === 'string' ||
      body instanceof Uint8Array ||
      body instanceof URLSearchParams;
    if (input instanceof Request || !plainBody) return globalThis.fetch(input, init);
    const url = input instanceof URL ? input.href : input;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    if (body instanceof URLSearchParams && !headers['content-type']) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    const res = await request(url, {
      method: (init.method ?? 'GET').toUpperCase() as 'GET',
      headers,
      body: body instanceof URLSearchParams ? body.toString() : (body ?? null),
      signal: init.signal ?? null,
      dispatcher,
    });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    return answer(url, res.statusCode, res.headers, bytes) as Response;
  };
  return httpFetch as typeof fetch;
}

/** The part of a fetch `Response` Bolt and the Web API client read, over a body already read. */
function answer(
  url: string,
  status: number,
  raw: Record<string, string | string[] | undefined>,
  bytes: Buffer,
): Pick<
  Response,
  'ok' | 'status' | 'statusText' | 'url' | 'headers' | 'redirected' | 'text' | 'json' | 'arrayBuffer'
> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const one of v) headers.append(k, one);
    else if (v !== undefined) headers.append(k, v);
  }
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: STATUS_CODES[status] ?? '',
    url,
    redirected: false,
    headers,
    text: async () => bytes.toString('utf8'),
    json: async () => JSON.parse(bytes.toString('utf8')),
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}
