/** The console's JSON API, on the page's own origin (the README lists its routes). */
const base = `${location.pathname.replace(/\/[^/]*$/, "")}/api/`;

export async function get<T>(path: string): Promise<T> {
  const response = await fetch(base + path, { headers: { accept: "application/json" } });
  return answer<T>(response);
}

export async function send<T>(method: "POST" | "PUT", path: string, body?: BodyInit, contentType?: string): Promise<T> {
  const response = await fetch(base + path, { method, body, headers: contentType ? { "content-type": contentType } : {} });
  return answer<T>(response);
}

export async function raw(path: string): Promise<Response> {
  const response = await fetch(base + path);
  if (!response.ok) await answer(response);
  return response;
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const value = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new Error(value?.message ?? `${response.status} ${response.statusText}`);
  return value as T;
}

export const eventsUrl = `${base}events`;
export const enc = encodeURIComponent;
