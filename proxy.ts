import { NextResponse, type NextRequest } from "next/server";

/**
 * Sends anonymous browsers to the sign-in page early. Not an authorization boundary: every page,
 * server action and route handler checks the session itself.
 */
export function proxy(request: NextRequest) {
  const hasSession = request.cookies.getAll().some((c) => c.name.endsWith("next-auth.session-token"));
  if (!hasSession) {
    const url = new URL("/signin", request.url);
    url.searchParams.set("callbackUrl", request.nextUrl.pathname);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = { matcher: ["/((?!api|signin|_next|favicon.ico|icon.svg).*)"] };
