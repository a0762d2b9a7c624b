import type { NextAuthOptions } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authSecret } from "@/lib/secrets";
import { clientAddress } from "./client-address";
import { consoleRedirect } from "./redirect";
import { authenticate } from "./users";

// Next's bundler hands over the function; plain Node ESM (the tests) the CommonJS module object around it.
const CredentialsProvider = (Credentials as unknown as { default?: typeof Credentials }).default ?? Credentials;

const g = globalThis as unknown as { marinerAuthOptions?: NextAuthOptions };

export function authOptions(): NextAuthOptions {
  return (g.marinerAuthOptions ??= createAuthOptions());
}

/** Separate from the cached authOptions() so tests can build options for another console URL. */
export function createAuthOptions(consoleUrl = process.env.NEXTAUTH_URL ?? ""): NextAuthOptions {
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    // Served over https (NEXTAUTH_URL says so, also behind a TLS-terminating proxy): cookies are Secure and
    // carry the __Secure-/__Host- prefixes. next-auth's default reads the same URL; stated here so it cannot drift.
    useSecureCookies: consoleUrl.startsWith("https://"),
    providers: [
      CredentialsProvider({
        name: "Email",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          try {
            const actor = await authenticate(credentials?.email, credentials?.password, clientAddress(req?.headers));
            return actor ? { id: actor.id, email: actor.email, role: actor.role } : null;
          } catch (e) {
            throw new Error((e as Error).message); // shown on the sign-in page (rate limit)
          }
        },
      }),
    ],
    callbacks: {
      redirect: async (params) => consoleRedirect(params),
      async jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
}
