/**
 * One request with exactly the credentials given, through Node's fetch: no cookie jar (a session cookie set by one
 * answer cannot ride along on a later "anonymous" request) and no redirect followed.
 */
export interface Answer {
  status: number;
  location: string | null;
  contentType: string;
  text: string;
  error?: { code: string; message: string };
}

export async function call(
  baseURL: string,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(new URL(url, baseURL), {
    method,
    redirect: "manual",
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let error: Answer["error"];
  try {
    error = (JSON.parse(text) as { error?: Answer["error"] }).error;
  } catch {
    error = undefined;
  }
  return {
    status: res.status,
    location: res.headers.get("location"),
    contentType: res.headers.get("content-type") ?? "",
    text,
    error,
  };
}
