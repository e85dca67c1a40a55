import type { TestSite } from './site.js';

export interface PageResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | null;
}

/**
 * A browser without JavaScript, driving the console in-process: it keeps the session cookie,
 * sends Origin on form posts, and reads the CSRF token and hidden fields from the page it is on.
 */
export function consoleClient(site: TestSite, options: { origin?: string; language?: string } = {}) {
  const cookies = new Map<string, string>();
  const origin = options.origin ?? 'http://localhost';

  function remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (/max-age=0/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  async function request(method: string, path: string, form?: Record<string, string | string[]>, extra: Record<string, string> = {}): Promise<PageResponse> {
    const headers: Record<string, string> = { ...extra };
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (options.language) headers['accept-language'] = options.language;
    let body: string | undefined;
    if (form) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) for (const item of [value].flat()) params.append(key, item);
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin ??= origin;
    }
    const url = path.startsWith('/') ? `http://localhost${path}` : path;
    const response = await site.app.request(url, { method, headers, body });
    remember(response.headers);
    return { status: response.status, headers: response.headers, body: await response.text(), location: response.headers.get('location') };
  }

  return {
    cookies,
    get: (path: string, extra?: Record<string, string>) => request('GET', path, undefined, extra),
    post: (path: string, form: Record<string, string | string[]>, extra?: Record<string, string>) => request('POST', path, form, extra),
    async login(username: string, password: string) {
      const answer = await request('POST', `/${site.site}/login`, { username, password });
      if (answer.status !== 303) throw new Error(`console login as ${username} failed: ${answer.status}`);
      return answer;
    },
  };
}

/** The value of a hidden (or any) input named `name` in a page. */
export function fieldValue(page: string, name: string): string | undefined {
  const match =
    new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(page) ?? new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`).exec(page);
  return match?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}
